// The application layer of mtproto-testdc: answers one decrypted client request (a TL function
// body) with a serialized result or an rpc_error, in the layer the client announced. It unwraps
// invokeWithLayer / initConnection / invokeWithoutUpdates / invokeAfterMsg(s), then serves the
// API methods the downloader and the interop clients use, with the fault injection configured.
// Single-threaded: the server calls it from its one I/O thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "mtproto/crypto/srp.h"
#include "mtproto/session/encrypted_packet.h"
#include "mtproto/testdc/catalog.h"
#include "mtproto/testdc/flood_control.h"
#include "mtproto/testdc/key_store.h"
#include "mtproto/testdc/layer_writer.h"
#include "mtproto/testdc/options.h"
#include "mtproto/testdc/request_log.h"
#include "mtproto/tl/reader.h"

namespace mtproto::testdc {

/// A serialized boxed result, or an rpc_error.
struct rpc_answer {
  std::vector<std::uint8_t> result;
  std::int32_t error_code = 0;
  std::string error_message;
  /// Server-initiated messages (updates) sent after the answer.
  std::vector<std::vector<std::uint8_t>> pushes;

  bool is_error() const noexcept { return error_code != 0; }
  static rpc_answer error(std::int32_t code, std::string message) { return {{}, code, std::move(message), {}}; }
};

struct request_context {
  std::int32_t dc_id = 0;
  key_record& key;
  std::chrono::steady_clock::time_point now;
  std::int32_t unix_time = 0;
  /// The message the request came in (auth.bindTempAuthKey checks both against its binding).
  std::int64_t session_id = 0;
  std::int64_t msg_id = 0;
  /// The DC's keys, for auth.bindTempAuthKey and requests on bound temporary keys (nullptr: none).
  key_store* keys = nullptr;
};

/// The CDN DC, when some file is served through one.
inline constexpr std::int32_t cdn_dc_id = 201;
/// Size of the parts upload.getFileHashes and the CDN hash lists cover.
inline constexpr std::int64_t file_hash_part = 128 * 1024;
/// Parts per hash answer (1 MiB, as Telegram answers).
inline constexpr std::int64_t file_hash_parts_per_answer = 8;

struct handler_config {
  std::vector<dc_endpoint> dcs;             // the regular DCs
  std::optional<dc_endpoint> cdn;           // the CDN DC, if any file is on a CDN
  std::string cdn_public_key_pem;           // PKCS#1 PEM of the CDN DC's key
  fault_options faults;
  std::string user_password;                // empty: the test user has no 2FA password
  std::string request_log;                  // --request-log FILE (empty: none)
};

class api_handler {
 public:
  api_handler(catalog& published, handler_config config, crypto::random_source random);
  ~api_handler();

  /// Answers one request. Malformed input yields rpc_error 400 INPUT_FETCH_ERROR, never an exception.
  rpc_answer handle(request_context& ctx, std::span<const std::uint8_t> body);

  void set_endpoints(std::vector<dc_endpoint> dcs, std::optional<dc_endpoint> cdn);
  const handler_config& config() const noexcept { return config_; }
  /// upload.getFile calls answered with FLOOD_WAIT so far (for logs and tests).
  std::int64_t flood_waits() const noexcept { return flood_waits_; }
  /// The layer named by the latest invokeWithLayer (0 before any): what clients announce.
  std::int32_t last_announced_layer() const noexcept { return last_announced_layer_; }

 private:
  /// Whether the flood faults act on this request's account (--flood-account).
  bool floods_account(const request_context& ctx) const noexcept;
  /// Whether the file part about to be served gets a flipped byte (--corrupt-every).
  bool corrupt_next_part() noexcept;
  /// The chat an inputChannel names if the caller may read it, else the error to answer.
  struct channel_lookup {
    const channel_info* channel = nullptr;
    rpc_answer refusal;
  };

  struct exported_authorization {
    account user;
    std::int32_t dc_id = 0;
    std::vector<std::uint8_t> bytes;
  };

  rpc_answer answer_request(request_context& ctx, std::span<const std::uint8_t> body);
  rpc_answer dispatch(request_context& ctx, tl::reader& r, std::span<const std::uint8_t> body);
  /// The key's layer was accepted by invokeWithLayer only if it can be served.
  const layer_writer& writer(const request_context& ctx) const { return *layer_writer_for(ctx.key.layer).writer; }
  /// For a logged-in caller.
  channel_lookup readable_channel(const request_context& ctx, std::int64_t id, std::int64_t access_hash) const;

  rpc_answer get_config(request_context& ctx);
  rpc_answer get_file(request_context& ctx, tl::reader& r);
  rpc_answer get_file_hashes(request_context& ctx, tl::reader& r);
  rpc_answer get_cdn_file(request_context& ctx, tl::reader& r);
  rpc_answer get_cdn_file_hashes(request_context& ctx, tl::reader& r);
  rpc_answer reupload_cdn_file(request_context& ctx, tl::reader& r);
  rpc_answer import_bot_authorization(request_context& ctx, tl::reader& r);
  rpc_answer send_code(request_context& ctx, tl::reader& r);
  rpc_answer sign_in(request_context& ctx, tl::reader& r, bool layer144_form);
  rpc_answer bind_temp_auth_key(request_context& ctx, tl::reader& r);
  rpc_answer get_password(request_context& ctx);
  rpc_answer check_password(request_context& ctx, tl::reader& r);
  /// The test user's SRP verifier, derived from --password on first use (PBKDF2 is slow).
  const crypto::srp_verifier& password_verifier();
  rpc_answer export_authorization(request_context& ctx, tl::reader& r);
  rpc_answer import_authorization(request_context& ctx, tl::reader& r);
  rpc_answer resolve_username(request_context& ctx, tl::reader& r, bool layer144_form);
  rpc_answer get_channels(request_context& ctx, tl::reader& r);
  rpc_answer get_channel_messages(request_context& ctx, tl::reader& r);
  rpc_answer get_discussion_message(request_context& ctx, tl::reader& r);
  rpc_answer get_messages(request_context& ctx, tl::reader& r);
  rpc_answer get_users(request_context& ctx, tl::reader& r);
  rpc_answer logged_in(request_context& ctx, const account& user);

  catalog& catalog_;
  handler_config config_;
  crypto::random_source random_;
  every_nth_flood flood_every_;
  std::uint64_t parts_served_ = 0;  // --corrupt-every
  request_rate_limit flood_rps_;
  premium_wait premium_wait_;
  std::unique_ptr<request_log> log_;
  std::uint32_t last_query_id_ = 0;  // of the request dispatch() last unwrapped
  std::int64_t flood_waits_ = 0;
  std::int32_t last_announced_layer_ = 0;
  std::set<std::int32_t> refused_layers_;  // announced, cannot be served: told on stderr once each
  std::map<std::int64_t, exported_authorization> exported_;
  /// CDN files the CDN DC holds (after reuploadCdnFile); the first request asks for a reupload.
  std::map<std::string, bool> cdn_cached_;
  std::optional<crypto::srp_verifier> password_verifier_;
};

}  // namespace mtproto::testdc

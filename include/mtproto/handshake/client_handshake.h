/// \file
/// The client side of MTProto's auth-key creation, sans-IO, on TL bodies.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mtproto/core/export.h"
#include "mtproto/crypto/kdf.h"
#include "mtproto/crypto/rsa.h"
#include "mtproto/handshake/auth_key_result.h"
#include "mtproto/crypto/random.h"
#include "mtproto/tl/types.h"

/// Auth-key creation (the DH exchange of req_pq_multi ... dh_gen_ok), client and server role,
/// permanent and temporary keys, and the binding of a temporary key. Sans-IO on TL bodies.
namespace mtproto::handshake {

/// What the client accepts and asks for.
struct client_options {
  /// Server keys we trust, chosen by the fingerprints resPQ offers. Default: Telegram's keys.
  std::vector<crypto::rsa_public_key> rsa_keys;
  /// DC id for p_q_inner_data_dc (test DCs add 10000, media DCs are negative). nullopt sends the
  /// older p_q_inner_data without a DC.
  std::optional<std::int32_t> dc_id;
  /// Seconds a temporary key lives (p_q_inner_data_temp_dc); nullopt makes a permanent key.
  std::optional<std::int32_t> temp_key_expires_in;
  /// dh_gen_retry answers accepted before giving up.
  int max_retries = 5;
};

/// \name Random bytes each step draws
/// \{
inline constexpr std::size_t begin_random_bytes = 16;     ///< begin(): nonce.
inline constexpr std::size_t res_pq_random_bytes = 256;   ///< On resPQ: new_nonce (32) + RSA_PAD randomness (224).
inline constexpr std::size_t dh_random_bytes = 272;       ///< Per set_client_DH_params: b (256) + padding of client_DH_inner_data (16).
/// \}

/// One client handshake: `begin()` -> req_pq_multi; `feed(resPQ)` -> req_DH_params;
/// `feed(server_DH_params)` -> set_client_DH_params; `feed(dh_gen_ok)` -> finished
/// (dh_gen_retry -> set_client_DH_params again). The caller wraps bodies in plain messages
/// (session/plain_message.h). Random bytes are drawn from the injected source in fixed amounts per
/// step (16, 256, 272), so a recorded exchange replays. Single use: after an error, start anew.
class MTPROTO_CORE_EXPORT client_handshake {
 public:
  /// An empty `options.rsa_keys` means Telegram's production and test keys.
  client_handshake(client_options options, crypto::random_source random);
  /// Wipes new_nonce, the temporary AES key and the auth key bytes (a returned key is a copy).
  ~client_handshake();
  client_handshake(client_handshake&&) = default;             ///< Movable (the source is left to wipe its own copy).
  client_handshake& operator=(client_handshake&&) = default;  ///< Movable.
  client_handshake(const client_handshake&) = delete;
  client_handshake& operator=(const client_handshake&) = delete;

  /// req_pq_multi.
  std::vector<std::uint8_t> begin();
  /// The server's answer to what we sent last; `now` dates the server time offset. A body that
  /// does not decode gives malformed_message, one out of turn unexpected_message.
  step_result feed(std::span<const std::uint8_t> body, core::clock::time_point now);

  /// True once feed() returned the key.
  bool finished() const noexcept { return state_ == state::done; }

 private:
  enum class state { idle, wait_res_pq, wait_dh_params, wait_dh_gen, done, failed };

  step_result on_res_pq(std::span<const std::uint8_t> body);
  step_result on_server_dh_params(std::span<const std::uint8_t> body, core::clock::time_point now);
  step_result on_dh_gen(std::span<const std::uint8_t> body);
  /// set_client_DH_params with fresh b (first try and every retry).
  std::vector<std::uint8_t> make_client_dh_params();
  step_result fail(std::error_code ec);

  client_options options_;
  crypto::random_source random_;
  state state_ = state::idle;

  tl::int128 nonce_{};
  tl::int128 server_nonce_{};
  tl::int256 new_nonce_{};
  crypto::aes_key_iv tmp_aes_{};
  std::vector<std::uint8_t> dh_prime_;
  std::vector<std::uint8_t> g_a_;
  std::int32_t g_ = 0;
  std::int64_t retry_id_ = 0;
  int retries_ = 0;
  core::clock::duration time_offset_{};
  std::optional<std::int32_t> expires_at_;
  core::auth_key::bytes_type auth_key_{};
};

}  // namespace mtproto::handshake

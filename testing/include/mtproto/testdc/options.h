// Command-line configuration of mtproto-testdc (see `mtproto-testdc --help`).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "mtproto/transport/proxy_secret.h"

namespace mtproto::testdc {

/// --file NAME:SIZE[:DC[:cdn]]
struct file_spec {
  std::string name;
  std::int64_t size = 0;
  std::int32_t dc = 1;
  bool cdn = false;
};

/// --media NAME=PATH[:DC]: a real file's bytes, published as NAME.
struct media_spec {
  std::string name;
  std::string path;
  std::int32_t dc = 1;
};

struct fault_options {
  /// FLOOD_WAIT_<flood_seconds> for every N-th upload.getFile (0: off).
  std::int32_t flood_every = 0;
  std::int32_t flood_seconds = 1;
  /// More than this many requests per account and DC in one second earn FLOOD_WAIT (0: off).
  std::int32_t flood_rps = 0;
  /// --flood-account ID: --flood-every and --flood-rps apply to this account (user id) only, and
  /// --flood-every counts that account's calls (0: every account, calls counted server-wide).
  std::int64_t flood_account = 0;
  /// --latency-ms: every answer leaves this long after its request arrived (0: at once), the round
  /// trip a client must cover with requests in flight.
  std::int32_t latency_ms = 0;
  /// --premium-wait-after BYTES[:SECONDS]: an account that is not premium and has been served
  /// this many file bytes (upload.getFile) is answered FLOOD_PREMIUM_WAIT_<premium_wait_seconds>
  /// until the wait is over; then it may take the same amount again (0: off).
  std::int64_t premium_wait_bytes = 0;
  std::int32_t premium_wait_seconds = 5;
  /// --premium-user ID (repeatable): accounts treated as premium (no FLOOD_PREMIUM_WAIT).
  std::vector<std::int64_t> premium_users{};
  /// --connect-rate N: a client address opening more than N connections in one second has the
  /// extra ones answered with transport error -429 and closed (0: off).
  std::int32_t connect_rate = 0;
  /// Bandwidth cap per connection in bytes per second (0: unlimited).
  std::int64_t rate_per_connection = 0;
  /// Bandwidth cap per account (the auth key's user), shared by all its connections to every DC,
  /// in bytes per second (0: unlimited). Bytes are paced, never refused.
  std::int64_t account_rate = 0;
  /// --refusing-address: every DC is listed (help.getConfig, the ready file) with an extra first
  /// address where nothing listens, so clients must fall back to the next one.
  bool refusing_address = false;
  /// Flip one byte of every N-th file part served (upload.getFile and upload.getCdnFile answers,
  /// counted server-wide; 0: never): what per-part hash checks must catch.
  std::int32_t corrupt_every = 0;
  /// Close the connection after every N-th RPC answer (0: never).
  std::int32_t drop_every = 0;
  /// File references expire after this many upload.getFile calls on the file (0: never).
  std::int32_t file_ref_ttl = 0;
  /// After answering updates.getState, push updatesTooLong as a server-initiated message
  /// (tests of the client's update delivery; off by default because the emulator does not serve
  /// updates.getDifference, which independent clients then call).
  bool push_updates = false;
};

struct options {
  std::string host = "127.0.0.1";
  /// DC n listens on port_base + n - 1; 0 picks free ports below 32768.
  std::uint16_t port_base = 0;
  std::int32_t dcs = 2;
  std::string rsa_key_path;  // empty: generate a key at start
  std::vector<file_spec> files;
  /// Published after `files` (which keep their defaults when only --media is given).
  std::vector<media_spec> media;
  std::uint64_t seed = 1;
  std::string ready_file;
  /// --request-log FILE: every API request as the DC saw it (request_log.h).
  std::string request_log;
  /// --ready-messages: the ready file also describes the link fixtures (its `messages` array).
  bool ready_messages = false;
  double max_seconds = 0;  // 0: run until signalled
  /// I/O threads serving connections (--threads; the command line defaults to one per core). With
  /// 1 the caller's io_context serves everything, as an embedded emulator in a test expects; with
  /// more, the server runs that many threads of its own and the caller's context only accepts.
  std::int32_t threads = 1;
  /// Two-step verification password of the test user (empty: none).
  std::string user_password;
  /// --proxy-secret: every listener acts as an MTProxy in front of the DCs: it accepts only
  /// obfuscated2 keyed with this secret (16 bytes, or `dd` + 16 for padded intermediate only) and
  /// routes each connection to the DC named in its obfuscated header.
  std::optional<transport::proxy_secret> proxy_secret;
  fault_options faults;
};

/// The default fixtures when no --file is given.
std::vector<file_spec> default_files();

/// Parses argv[1..]; throws std::invalid_argument with a message naming the bad argument.
options parse_options(std::span<const std::string_view> args);
/// NAME:SIZE[:DC[:cdn]]; SIZE accepts K/M/G suffixes (powers of 1024).
file_spec parse_file_spec(std::string_view spec);
/// NAME=PATH[:DC]: a trailing `:digits` is the DC, so a path may hold colons elsewhere.
media_spec parse_media_spec(std::string_view spec);

std::string_view usage() noexcept;

/// The secret as --proxy-secret takes it (lower-case hex, `dd` first for padded ones).
std::string proxy_secret_hex(const transport::proxy_secret& secret);

}  // namespace mtproto::testdc

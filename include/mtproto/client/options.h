/// \file
/// Everything tunable about a client, with defaults that suit a desktop application talking to
/// Telegram's production DCs.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "mtproto/api/registry.h"
#include "mtproto/client/dc_table.h"
#include "mtproto/client/log.h"
#include "mtproto/client/retry_policy.h"
#include "mtproto/client/session_store.h"
#include "mtproto/session/msg_id.h"

namespace mtproto::client {

/// Everything tunable about a client (see the file description); copied into the client.
struct client_options {
  // ---- identity (initConnection) ----
  std::int32_t api_id = 0;                   ///< The application's api_id (my.telegram.org).
  std::string api_hash;                      ///< The application's api_hash; a secret of the application.
  std::string device_model = "mtproto-cpp";  ///< initConnection.device_model.
  std::string system_version = "Linux";      ///< initConnection.system_version.
  std::string app_version = "0.1";           ///< initConnection.app_version.
  std::string system_lang_code = "en";       ///< initConnection.system_lang_code.
  std::string lang_pack;                     ///< initConnection.lang_pack; empty for none.
  std::string lang_code = "en";              ///< initConnection.lang_code.
  /// Announced in invokeWithLayer: the layer the API schema was generated from (its `// LAYER N`).
  std::int32_t layer = api::layer;

  // ---- where and how ----
  client::dc_table dc_table = dc_table::production();  ///< Addresses and RSA keys of the DCs.
  transport_settings transport;                        ///< Framing, obfuscation, MTProxy.
  /// Where keys and login survive restarts; nullptr keeps them in memory.
  std::shared_ptr<session_store> store;

  // ---- sessions ----
  /// Extra connections per DC for downloads, opened on demand when the existing ones are busy.
  int max_download_sessions = 8;
  /// A download session counts as busy once this many calls are in flight on it.
  std::size_t download_session_depth = 4;
  /// Calls queued or in flight in this client at most; one more is refused with
  /// client_errc::overloaded instead of growing memory without bound.
  std::size_t max_pending_calls = 10'000;
  /// Calls one connection has in its session at once; more wait in its queue (not sent) until
  /// answers make room, so a burst never becomes one unbounded container stream.
  std::size_t max_in_flight_per_connection = 512;
  /// A transport error -404 ("unknown auth key") carries no authentication: anyone on the path, or
  /// an MTProxy, can send one. The DC's key (and any login on it) is given up only after this many
  /// -404s on fresh connections in a row with no authentic packet in between, the last of them on
  /// a direct connection; until a new key exists the stored one is left as it is.
  int unknown_key_confirmations = 2;
  /// With transport.via_proxy: confirm a proxy's -404 on one direct connection to the DC (this
  /// shows the client's address to the DC, only then). false: a proxy can never cost the key.
  bool check_key_loss_directly = true;
  /// A connection is closed after this many packets in a row that fail authentication (and the
  /// reconnect backoff keeps growing: only authentic packets count as progress).
  int max_bad_packets = 8;

  // ---- time limits ----
  /// A call not answered this long after it started fails with client_errc::timeout.
  std::chrono::milliseconds call_timeout{60'000};
  /// Longest wait for one TCP connect to one address before trying the next.
  std::chrono::milliseconds connect_timeout{10'000};
  /// Longest auth-key creation (client_errc::handshake_timeout).
  std::chrono::milliseconds handshake_timeout{30'000};
  /// ping_delay_disconnect cadence, and how long the server waits after a missed ping.
  std::chrono::seconds ping_interval{60};
  /// The disconnect_delay each ping carries: the server closes the connection when no ping came
  /// for this long.
  std::chrono::seconds ping_disconnect_delay{75};
  /// Without any bytes from the server for this long the connection is considered dead.
  std::chrono::seconds dead_connection_after{90};
  /// Pending acknowledgements go out at least this often even without other traffic.
  std::chrono::milliseconds ack_flush_interval{500};
  /// How long to wait before reconnecting, and when to give up (connect_failed, connection_lost).
  retry_policy reconnect = make_retry_policy({});
  /// FLOOD_WAIT_X and FLOOD_PREMIUM_WAIT_X: a call told to wait up to this long is sent again
  /// after X seconds (plus up to 10% jitter) instead of failing, if that still ends before its
  /// timeout; longer waits fail the call with the rpc_error (rpc_error::wait()). Meanwhile the DC
  /// is paused for this account: calls to it that may sleep are held until the wait is over
  /// rather than sent to be refused. 0: every wait goes back to the caller. Per call:
  /// call_options::sleep_through_flood.
  std::chrono::seconds flood_sleep_limit{10};
  /// Salt and clock-offset changes are written to the session store at most this often (and at
  /// shutdown); a crash may lose them, and both are learnt again. New keys and logins are written
  /// at once.
  std::chrono::milliseconds session_save_delay{2'000};

  // ---- plumbing ----
  /// Updates the server pushes (a boxed `Updates` object, valid during the call), on the client's
  /// strand. Without a handler they are counted (statistics::updates_unhandled) and dropped.
  std::function<void(int dc_id, std::span<const std::uint8_t> updates)> on_update;
  logger log;  ///< Where the client logs; silent by default.
  /// The wall clock msg_ids are made from (tests skew it); default std::chrono::system_clock.
  std::function<core::clock::time_point()> clock;
};

/// Which connection to a DC carries a call.
enum class session_kind {
  main,      ///< The DC's main session (logins, updates, ordinary calls).
  download,  ///< One of the DC's download sessions (see client_options::max_download_sessions).
  /// A session to a CDN DC (upload.getCdnFile): its addresses and RSA keys come from
  /// help.getConfig and help.getCdnConfig, fetched on the home DC before the first call (never a
  /// regular DC's keys), and nothing is logged in or imported there. Indexed like download.
  cdn
};

/// What one connection (session) to a DC is doing: client::async_session_states.
struct session_state {
  session_kind kind = session_kind::main;  ///< Main, download or cdn.
  int index = 0;                   ///< 0 for main; call_options::session_index for a download or CDN session.
  bool open = false;               ///< Connected, with a key and a session, serving calls.
  std::size_t in_flight = 0;       ///< Calls sent and not answered yet.
  std::size_t queued = 0;          ///< Calls waiting for the session to open.
  std::error_code last_error;      ///< Why the connection last ended or failed its calls (none yet: empty).
};

/// Per-call settings of client::async_invoke.
struct call_options {
  /// The DC to call; default the home DC.
  std::optional<int> dc;
  session_kind kind = session_kind::main;  ///< download: an extra connection for bulk transfers.
  /// With kind == download (or cdn): the call goes to the DC's download session of this index, opened on
  /// demand (a downloader spreads its requests itself). Indexes from
  /// client_options::max_download_sessions on fail with client_errc::bad_session_index. Without
  /// it the least loaded session is picked (and another opened when all are busy).
  std::optional<int> session_index;
  /// Overrides client_options::call_timeout.
  std::optional<std::chrono::milliseconds> timeout;
  /// false: a FLOOD_WAIT goes straight back to the caller and the call is not held by a pause of
  /// its DC (callers that schedule around floods themselves, like the downloader); see
  /// client_options::flood_sleep_limit.
  bool sleep_through_flood = true;
};

}  // namespace mtproto::client

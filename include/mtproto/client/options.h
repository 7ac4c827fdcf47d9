// Everything tunable about a client, with defaults that suit a desktop application talking to
// Telegram's production DCs.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>

#include "mtproto/api/registry.h"
#include "mtproto/client/dc_table.h"
#include "mtproto/client/log.h"
#include "mtproto/client/retry_policy.h"
#include "mtproto/client/session_store.h"
#include "mtproto/session/msg_id.h"

namespace mtproto::client {

struct client_options {
  // ---- identity (initConnection) ----
  std::int32_t api_id = 0;
  std::string api_hash;
  std::string device_model = "mtproto-cpp";
  std::string system_version = "Linux";
  std::string app_version = "0.1";
  std::string system_lang_code = "en";
  std::string lang_pack;
  std::string lang_code = "en";
  /// Announced in invokeWithLayer: the layer the API schema was generated from (its `// LAYER N`).
  std::int32_t layer = api::layer;

  // ---- where and how ----
  client::dc_table dc_table = dc_table::production();
  transport_settings transport;
  /// Where keys and login survive restarts; nullptr keeps them in memory.
  std::shared_ptr<session_store> store;

  // ---- sessions ----
  /// Extra connections per DC for downloads, opened on demand when the existing ones are busy.
  int max_download_sessions = 4;
  /// A download session counts as busy once this many calls are in flight on it.
  std::size_t download_session_depth = 4;

  // ---- time limits ----
  std::chrono::milliseconds call_timeout{60'000};
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds handshake_timeout{30'000};
  /// ping_delay_disconnect cadence, and how long the server waits after a missed ping.
  std::chrono::seconds ping_interval{60};
  std::chrono::seconds ping_disconnect_delay{75};
  /// Without any bytes from the server for this long the connection is considered dead.
  std::chrono::seconds dead_connection_after{90};
  /// Pending acknowledgements go out at least this often even without other traffic.
  std::chrono::milliseconds ack_flush_interval{500};
  retry_policy reconnect = make_retry_policy({});

  // ---- plumbing ----
  /// Updates the server pushes (a boxed `Updates` object, valid during the call), on the client's
  /// strand. Without a handler they are counted (statistics::updates_unhandled) and dropped.
  std::function<void(int dc_id, std::span<const std::uint8_t> updates)> on_update;
  logger log;
  /// The wall clock msg_ids are made from (tests skew it); default std::chrono::system_clock.
  std::function<core::clock::time_point()> clock;
};

/// Which connection to a DC carries a call.
enum class session_kind { main, download };

struct call_options {
  /// The DC to call; default the home DC.
  std::optional<int> dc;
  session_kind kind = session_kind::main;
  /// Overrides client_options::call_timeout.
  std::optional<std::chrono::milliseconds> timeout;
};

}  // namespace mtproto::client

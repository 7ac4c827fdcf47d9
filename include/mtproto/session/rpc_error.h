/// \file
/// rpc_error as the server sends it ("FLOOD_WAIT_31", code 420), split into a type and an argument.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "mtproto/core/export.h"

/// mtproto-cpp: a client library for Telegram's MTProto 2.0. Layers, each depending only on those
/// below it: tl (TL runtime), crypto, core/transport/handshake/session (the sans-IO protocol
/// core), then client (the Asio runtime). Generated schema types live in mtproto::mt (service
/// messages) and mtproto::api (the Telegram API).
namespace mtproto {

/// An rpc_error answer, split into a type and an argument. This is the one place that knows
/// which errors are waits and which are migrations.
struct MTPROTO_CORE_EXPORT rpc_error {
  std::int32_t code = 0;     ///< 303, 400, 401, 403, 406, 420, 500, ...
  std::string message;       ///< As received: "FLOOD_WAIT_31".
  std::string type;          ///< message without the numeric argument: "FLOOD_WAIT".
  std::optional<std::int64_t> argument;  ///< The trailing number, if any: 31.

  /// Parses `message`; type/argument follow the convention NAME_123 (also NAME_123_SUFFIX is kept whole).
  static rpc_error parse(std::int32_t code, std::string message);

  /// How long the server asks us to wait (FLOOD_WAIT_, FLOOD_PREMIUM_WAIT_, SLOWMODE_WAIT_,
  /// 2FA_CONFIRM_WAIT_, TAKEOUT_INIT_DELAY_), clamped to [1 s, max_wait].
  std::optional<std::chrono::seconds> wait() const;
  /// The DC to move to for FILE_MIGRATE_, NETWORK_MIGRATE_, PHONE_MIGRATE_, USER_MIGRATE_, STATS_MIGRATE_.
  std::optional<int> migrate_to_dc() const;

  /// True if `type` is `t` exactly ("FLOOD_WAIT", not "FLOOD_WAIT_31").
  bool is(std::string_view t) const noexcept { return type == t; }

  /// Longest wait honoured; a bigger value from the server is clamped to this.
  static constexpr std::chrono::seconds max_wait{24 * 3600};
};

}  // namespace mtproto

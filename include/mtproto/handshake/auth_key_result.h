/// \file
/// What a finished handshake yields, on either side.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <vector>

#include "mtproto/core/auth_key.h"
#include "mtproto/core/clock.h"

namespace mtproto::handshake {

/// A new auth key and what the session needs to start using it.
struct auth_key_result {
  core::auth_key key;  ///< The key both sides now share.
  /// new_nonce[0:8] XOR server_nonce[0:8]: valid as the session's first salt.
  std::int64_t first_salt = 0;
  /// server_time - local time when the server's DH parameters arrived (client side; 0 on the server).
  core::clock::duration time_offset{};
  /// For temporary keys: unix time the key expires (the server drops it then).
  std::optional<std::int32_t> expires_at;
  /// The DC the client named in p_q_inner_data_dc (server side; 0 when it named none).
  std::int32_t dc_id = 0;
};

/// What one step of a handshake produces: a message to send, the finished key, or an error.
/// Both `reply` and `done` are set when the last message must still go out (server side).
struct step_result {
  std::vector<std::uint8_t> reply;       ///< A TL body for a plain message; empty when none.
  std::optional<auth_key_result> done;   ///< Set once, when the key is made.
  /// Set when the handshake failed (handshake_errc, or a crypto_errc of a failed check); the
  /// handshake is then over and a new one must be started.
  std::error_code error;
};

}  // namespace mtproto::handshake

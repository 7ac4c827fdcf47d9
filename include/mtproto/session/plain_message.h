/// \file
/// Unencrypted messages (auth_key_id = 0), used only by the auth-key handshake:
/// `auth_key_id:long(0) | msg_id:long | message_data_length:int | body`.
#pragma once

#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

#include "mtproto/core/export.h"

namespace mtproto::session {

/// auth_key_id, msg_id and message_data_length: the bytes before the body.
inline constexpr std::size_t plain_header_size = 20;

/// Appends a plain message to `out` (after whatever head room the caller left in it).
MTPROTO_CORE_EXPORT void write_plain_message(std::vector<std::uint8_t>& out, std::int64_t msg_id,
                                             std::span<const std::uint8_t> body);

/// A parsed plain message.
struct plain_message {
  std::int64_t msg_id = 0;             ///< As sent; not checked here.
  std::span<const std::uint8_t> body;  ///< View into the packet: the TL body.
};

/// Parses a plain message; a non-zero auth_key_id, an inconsistent length or a body that is not
/// whole 4-byte words is an error (session_errc::bad_message_length / unknown_auth_key).
MTPROTO_CORE_EXPORT std::error_code read_plain_message(std::span<const std::uint8_t> packet, plain_message& out);

}  // namespace mtproto::session

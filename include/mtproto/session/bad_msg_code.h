/// \file
/// The error codes of bad_msg_notification (and 48 of bad_server_salt), named as the protocol
/// documentation describes them. Both session roles send and read them.
#pragma once

#include <cstdint>

namespace mtproto::session {

/// error_code values of bad_msg_notification.
namespace bad_msg_code {
inline constexpr std::int32_t msg_id_too_low = 16;       ///< Our clock is behind: sync, then resend.
inline constexpr std::int32_t msg_id_too_high = 17;      ///< Our clock is ahead: sync, then resend.
inline constexpr std::int32_t msg_id_bad_low_bits = 18;  ///< msg_id not divisible by 4 (client) or parity.
inline constexpr std::int32_t msg_id_duplicate = 19;     ///< A container and a member share a msg_id.
inline constexpr std::int32_t msg_too_old = 20;          ///< Older than 300 s and forgotten by the server.
inline constexpr std::int32_t seqno_too_low = 32;        ///< seqno below one already received.
inline constexpr std::int32_t seqno_too_high = 33;       ///< seqno above what the sender should have reached.
inline constexpr std::int32_t seqno_expected_even = 34;  ///< An odd seqno on a non-content message.
inline constexpr std::int32_t seqno_expected_odd = 35;   ///< An even seqno on a content message.
inline constexpr std::int32_t bad_server_salt = 48;      ///< Normally sent as bad_server_salt with the new salt.
inline constexpr std::int32_t invalid_container = 64;    ///< The container is malformed.
}  // namespace bad_msg_code

}  // namespace mtproto::session

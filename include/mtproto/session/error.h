/// \file
/// Errors of the encrypted session layer: packets that fail the MTProto 2.0 checks.
#pragma once

#include <system_error>

#include "mtproto/core/export.h"

namespace mtproto::session {

/// Why a packet or message was refused; converts implicitly to std::error_code in
/// session_category().
enum class session_errc {
  packet_too_short = 1,    ///< Shorter than auth_key_id + msg_key + one block of header.
  unknown_auth_key,        ///< auth_key_id is not ours.
  msg_key_mismatch,        ///< msg_key does not match the decrypted plaintext (tampered or wrong key).
  bad_message_length,      ///< message_data_length inconsistent with the packet.
  bad_padding,             ///< Padding outside 12..1024 bytes.
  wrong_session,           ///< session_id is not this session's.
  malformed_body,          ///< Body does not decode (see the TL error).
  request_failed,          ///< A request could not be delivered (bad_msg_notification with no fix).
};

/// The category of session_errc values, named "mtproto.session"; one instance for the program.
MTPROTO_CORE_EXPORT const std::error_category& session_category() noexcept;

/// Makes session_errc usable as std::error_code (found by argument-dependent lookup).
inline std::error_code make_error_code(session_errc e) noexcept {
  return {static_cast<int>(e), session_category()};
}

}  // namespace mtproto::session

namespace std {
/// Lets a session_errc convert implicitly to std::error_code and compare with one.
template <>
struct is_error_code_enum<mtproto::session::session_errc> : true_type {};
}  // namespace std

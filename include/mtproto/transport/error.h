/// \file
/// Errors of the transport layer: one enum and one error_category, so a broken connection reports a
/// std::error_code that travels unchanged through Asio completion handlers.
#pragma once

#include <cstdint>
#include <system_error>

#include "mtproto/core/export.h"

namespace mtproto::transport {

/// What went wrong in a codec; converts implicitly to std::error_code in transport_category().
/// frame_too_large ... unobfuscated_rejected come from received bytes (hostile or corrupt input):
/// the connection must be closed. insufficient_room ... invalid_argument are caller mistakes while
/// sending, thrown as std::system_error.
enum class transport_errc {
  // Received bytes (hostile or corrupt input): the connection must be closed.
  frame_too_large = 1,       ///< Declared length exceeds the configured maximum.
  invalid_length,            ///< Zero, below the format's minimum, or not a multiple of 4 where required.
  bad_checksum,              ///< Full transport: CRC32 mismatch.
  bad_seqno,                 ///< Full transport: sequence number out of order.
  unknown_protocol,          ///< Server: the first bytes match no supported transport (HTTP, TLS, ...).
  bad_obfuscation_tag,       ///< Obfuscated2 init decrypts to no known protocol tag (or a wrong secret).
  unobfuscated_rejected,     ///< Server configured to accept obfuscated (proxy) connections only.
  // Caller mistakes while sending: reported by throwing std::system_error with these codes.
  insufficient_room,         ///< Head or tail room too small for the framing.
  payload_not_aligned,       ///< Payload length not a multiple of 4.
  quick_ack_unsupported,     ///< Quick ack asked of a transport or role that has none.
  not_ready,                 ///< Server: sending before the client's transport was detected.
  random_source_failed,      ///< The injected random source kept producing forbidden obfuscated2 inits.
  invalid_argument,          ///< Options that contradict each other (e.g. full transport over obfuscated2).
};

/// The category of transport_errc values, named "mtproto.transport"; one instance for the program.
MTPROTO_CORE_EXPORT const std::error_category& transport_category() noexcept;

/// Makes transport_errc usable as std::error_code (found by argument-dependent lookup).
inline std::error_code make_error_code(transport_errc e) noexcept {
  return {static_cast<int>(e), transport_category()};
}

/// Transport errors the server sends as a 4-byte frame (-404 auth key not found, -429 too many
/// connections or transport flood, -444 invalid DC). They carry no authentication: any proxy or
/// on-path party can forge one. The value of the error_code is the server's (negative) code.
MTPROTO_CORE_EXPORT const std::error_category& server_error_category() noexcept;

/// The server's transport error `code` (negative, as received) as an error_code of
/// server_error_category().
inline std::error_code server_transport_error(std::int32_t code) noexcept { return {code, server_error_category()}; }

}  // namespace mtproto::transport

namespace std {
/// Lets a transport_errc convert implicitly to std::error_code and compare with one.
template <>
struct is_error_code_enum<mtproto::transport::transport_errc> : true_type {};
}  // namespace std

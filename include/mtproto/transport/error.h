// Errors of the transport layer: one enum and one error_category, so a broken connection reports a
// std::error_code that travels unchanged through Asio completion handlers.
#pragma once

#include <cstdint>
#include <system_error>

namespace mtproto::transport {

enum class transport_errc {
  // Received bytes (hostile or corrupt input): the connection must be closed.
  frame_too_large = 1,       // declared length exceeds the configured maximum
  invalid_length,            // zero, below the format's minimum, or not a multiple of 4 where required
  bad_checksum,              // full transport: CRC32 mismatch
  bad_seqno,                 // full transport: sequence number out of order
  unknown_protocol,          // server: the first bytes match no supported transport (HTTP, TLS, ...)
  bad_obfuscation_tag,       // obfuscated2 init decrypts to no known protocol tag (or a wrong secret)
  unobfuscated_rejected,     // server configured to accept obfuscated (proxy) connections only
  // Caller mistakes while sending: reported by throwing std::system_error with these codes.
  insufficient_room,         // head or tail room too small for the framing
  payload_not_aligned,       // payload length not a multiple of 4
  quick_ack_unsupported,     // quick ack asked of a transport or role that has none
  not_ready,                 // server: sending before the client's transport was detected
  random_source_failed,      // the injected random source kept producing forbidden obfuscated2 inits
  invalid_argument,          // options that contradict each other (e.g. full transport over obfuscated2)
};

const std::error_category& transport_category() noexcept;

inline std::error_code make_error_code(transport_errc e) noexcept {
  return {static_cast<int>(e), transport_category()};
}

/// Transport errors the server sends as a 4-byte frame (-404 auth key not found, -429 too many
/// connections or transport flood, -444 invalid DC). They carry no authentication: any proxy or
/// on-path party can forge one. The value of the error_code is the server's (negative) code.
const std::error_category& server_error_category() noexcept;

inline std::error_code server_transport_error(std::int32_t code) noexcept { return {code, server_error_category()}; }

}  // namespace mtproto::transport

template <>
struct std::is_error_code_enum<mtproto::transport::transport_errc> : std::true_type {};

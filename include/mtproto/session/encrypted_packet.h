/// \file
/// MTProto 2.0 encrypted packets:
/// `auth_key_id:8 | msg_key:16 | AES-256-IGE( salt:8 session_id:8 msg_id:8 seq_no:4 length:4 body padding )`.
/// Built and opened in place in one buffer: the caller leaves head room for transport framing,
/// the body is written right after the reserved prefix, and decryption happens where the bytes lie.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <system_error>
#include <vector>

#include "mtproto/core/export.h"
#include "mtproto/crypto/kdf.h"
#include "mtproto/crypto/random.h"
#include "mtproto/core/auth_key.h"

namespace mtproto::session {

using core::auth_key;
using crypto::random_source;

/// The encrypted header fields of one packet (message_data_length is derived from the body).
struct packet_header {
  std::int64_t salt = 0;        ///< Server salt the packet is sent with.
  std::int64_t session_id = 0;  ///< Session the packet belongs to.
  std::int64_t msg_id = 0;      ///< msg_id of the top-level message.
  std::int32_t seqno = 0;       ///< seqno of the top-level message.
};

/// auth_key_id + msg_key.
inline constexpr std::size_t packet_outer_header = 24;
/// salt, session_id, msg_id, seq_no, length.
inline constexpr std::size_t packet_inner_header = 32;
/// Bytes between the head room and the body while building a packet.
inline constexpr std::size_t packet_prefix = packet_outer_header + packet_inner_header;
inline constexpr std::size_t min_padding = 12;    ///< Fewest padding bytes MTProto 2.0 allows.
inline constexpr std::size_t max_padding = 1024;  ///< Most padding bytes MTProto 2.0 allows.

/// `buf` holds [head_room bytes][packet_prefix bytes, contents ignored][body]. Appends padding,
/// fills both headers and encrypts in place. Returns the packet (from head_room to the end).
/// `random` supplies the padding and its length (a random number of extra blocks).
MTPROTO_CORE_EXPORT std::span<std::uint8_t> seal_packet(std::vector<std::uint8_t>& buf, std::size_t head_room,
                                                        const auth_key& key, crypto::direction from,
                                                        const packet_header& header, const random_source& random);

/// One packet for seal_packets(): a buffer laid out as seal_packet's, and its header.
struct packet_to_seal {
  std::vector<std::uint8_t>* buffer;  ///< [head_room][packet_prefix][body], sealed in place.
  std::size_t head_room = 0;          ///< Bytes in front left for the transport.
  packet_header header;               ///< The packet's encrypted header fields.
};

/// seal_packet for several packets on one key at once: each msg_key hash in turn (it must be known
/// before the encryption starts), then up to four AES-IGE chains interleaved
/// (crypto::ige_encrypt_many), which a single chain cannot do. Afterwards each packet runs from
/// its head_room to the end of its buffer.
MTPROTO_CORE_EXPORT void seal_packets(std::span<const packet_to_seal> packets, const auth_key& key,
                                      crypto::direction from, const random_source& random);

/// A packet that open_packet accepted.
struct opened_packet {
  packet_header header;                ///< Its decrypted header.
  std::span<const std::uint8_t> body;  ///< View into the decrypted packet, without padding.
};

/// Decrypts `packet` in place and checks auth_key_id, msg_key (constant time), length and padding.
/// Up to 15 bytes after the last whole AES block are ignored (padded intermediate transport).
/// On failure returns a session_errc and leaves `out` unspecified.
MTPROTO_CORE_EXPORT std::error_code open_packet(std::span<std::uint8_t> packet, const auth_key& key,
                                                crypto::direction from, opened_packet& out);

}  // namespace mtproto::session

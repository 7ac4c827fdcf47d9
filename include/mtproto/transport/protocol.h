/// \file
/// Vocabulary shared by every transport codec: which framing, which side, the wire constants, and
/// the per-frame send flags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "mtproto/crypto/random.h"

namespace mtproto::transport {

/// The framing of MTProto packets on a byte stream. Obfuscated2 is a layer over the first three.
enum class protocol : std::uint8_t {
  abridged,             ///< 1- or 4-byte length in words; the smallest overhead.
  intermediate,         ///< 4-byte length in bytes.
  padded_intermediate,  ///< Intermediate with 0..15 random bytes per frame, hiding packet sizes.
  full                  ///< Length, sequence number and CRC32; never under obfuscated2.
};

/// Which end of the connection a codec serves. The two directions differ: only clients request
/// quick acks and send the protocol marker; only servers send quick-ack tokens and transport errors.
enum class role : std::uint8_t {
  client,  ///< Connects; sends the protocol marker or obfuscated2 init.
  server   ///< Accepts; detects the client's transport.
};

/// Flags for one outgoing frame.
struct send_options {
  /// Client, abridged/intermediate/padded only: ask the server for a quick-ack token for this frame.
  bool quick_ack = false;
};

using crypto::random_source;

/// 2^20 bytes.
inline constexpr std::size_t mebibyte = std::size_t{1} << 20;
/// Default cap on one received frame's payload: above the largest MTProto message Telegram sends.
inline constexpr std::size_t default_max_frame_size = 16 * mebibyte;

/// Constants as they appear on the wire.
namespace wire {
inline constexpr std::uint8_t abridged_marker = 0xef;                  ///< First byte of an abridged connection.
inline constexpr std::uint32_t intermediate_marker = 0xeeeeeeee;       ///< First word of an intermediate connection.
inline constexpr std::uint32_t padded_intermediate_marker = 0xdddddddd;  ///< First word of a padded intermediate connection.
/// Obfuscated2 protocol tags (bytes 56..60 of the decrypted init, little-endian).
inline constexpr std::uint32_t abridged_tag = 0xefefefef;
/// Obfuscated2 tag of intermediate: its marker.
inline constexpr std::uint32_t intermediate_tag = intermediate_marker;
/// Obfuscated2 tag of padded intermediate: its marker.
inline constexpr std::uint32_t padded_intermediate_tag = padded_intermediate_marker;
/// Quick-ack tokens and quick-ack requests are marked by the most significant bit.
inline constexpr std::uint32_t quick_ack_bit = 0x80000000u;
}  // namespace wire

}  // namespace mtproto::transport

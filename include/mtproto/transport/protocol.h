// Vocabulary shared by every transport codec: which framing, which side, the wire constants, and
// the per-frame send flags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "mtproto/crypto/random.h"

namespace mtproto::transport {

/// The framing of MTProto packets on a byte stream. Obfuscated2 is a layer over the first three.
enum class protocol : std::uint8_t { abridged, intermediate, padded_intermediate, full };

/// Which end of the connection a codec serves. The two directions differ: only clients request
/// quick acks and send the protocol marker; only servers send quick-ack tokens and transport errors.
enum class role : std::uint8_t { client, server };

/// Flags for one outgoing frame.
struct send_options {
  /// Client, abridged/intermediate/padded only: ask the server for a quick-ack token for this frame.
  bool quick_ack = false;
};

using crypto::random_source;

inline constexpr std::size_t mebibyte = std::size_t{1} << 20;
/// Default cap on one received frame's payload: above the largest MTProto message Telegram sends.
inline constexpr std::size_t default_max_frame_size = 16 * mebibyte;

namespace wire {
inline constexpr std::uint8_t abridged_marker = 0xef;
inline constexpr std::uint32_t intermediate_marker = 0xeeeeeeee;
inline constexpr std::uint32_t padded_intermediate_marker = 0xdddddddd;
/// Obfuscated2 protocol tags (bytes 56..60 of the decrypted init, little-endian).
inline constexpr std::uint32_t abridged_tag = 0xefefefef;
inline constexpr std::uint32_t intermediate_tag = intermediate_marker;
inline constexpr std::uint32_t padded_intermediate_tag = padded_intermediate_marker;
/// Quick-ack tokens and quick-ack requests are marked by the most significant bit.
inline constexpr std::uint32_t quick_ack_bit = 0x80000000u;
}  // namespace wire

}  // namespace mtproto::transport

/// \file
/// The 64-byte init that opens an obfuscated2 connection, and the rule for which random bytes may
/// not be used for it: those a server (or a middlebox) would read as another protocol.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "mtproto/core/export.h"

namespace mtproto::transport {

/// Size of the init, in bytes.
inline constexpr std::size_t obfuscated_init_size = 64;
/// The 64 bytes of an init.
using obfuscated_init = std::array<std::uint8_t, obfuscated_init_size>;

/// Where the fields lie in the init: random, encrypt key, iv, protocol tag, DC id.
namespace obfuscated_layout {
inline constexpr std::size_t key_offset = 8;       ///< Encrypt key, then iv, then tag, DC id.
inline constexpr std::size_t key_size = 32;        ///< AES-256-CTR key.
inline constexpr std::size_t iv_offset = 40;       ///< CTR initial counter block.
inline constexpr std::size_t iv_size = 16;         ///< Size of the iv.
inline constexpr std::size_t key_material_size = key_size + iv_size;  ///< Bytes 8..56, reversed for the other way.
inline constexpr std::size_t tag_offset = 56;      ///< Protocol tag (see wire::abridged_tag).
inline constexpr std::size_t dc_id_offset = 60;    ///< int16 DC id, little-endian.
}  // namespace obfuscated_layout

/// First words a client must not start with, as little-endian integers: HTTP methods ("HEAD",
/// "POST", "GET ", "OPTI"), the intermediate and padded markers, and a TLS record header.
inline constexpr std::array<std::uint32_t, 7> forbidden_first_words = {
    0x44414548, 0x54534f50, 0x20544547, 0x4954504f, 0xdddddddd, 0xeeeeeeee, 0x02010316};

/// True when these bytes may not open an obfuscated2 connection: first byte 0xef (abridged), a
/// forbidden first word, or a zero second word (the full transport's first seqno).
MTPROTO_CORE_EXPORT bool is_forbidden_obfuscated_init(std::span<const std::uint8_t, obfuscated_init_size> init) noexcept;

}  // namespace mtproto::transport

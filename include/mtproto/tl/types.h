/// \file
/// Value types of TL's built-in scalars, shared by the runtime and generated code.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

/// The TL runtime: binary encoding (reader, writer), holders for generated objects (object,
/// boxed), their text rendering and the decode errors. tlgen's generated types build on it.
namespace mtproto::tl {

/// TL `int128`: 16 raw bytes as they appear on the wire (nonces).
using int128 = std::array<std::uint8_t, 16>;
/// TL `int256`: 32 raw bytes as they appear on the wire.
using int256 = std::array<std::uint8_t, 32>;
/// TL `bytes`: arbitrary binary payload.
using bytes = std::vector<std::uint8_t>;

/// Constructor ids the runtime itself needs to know.
namespace ids {
inline constexpr std::uint32_t vector = 0x1cb5c415;       ///< Boxed `Vector t`: precedes the element count.
inline constexpr std::uint32_t bool_true = 0x997275b5;    ///< `boolTrue`.
inline constexpr std::uint32_t bool_false = 0xbc799737;   ///< `boolFalse`.
inline constexpr std::uint32_t gzip_packed = 0x3072cfa1;  ///< `gzip_packed`: any answer may come wrapped in it.
}  // namespace ids

}  // namespace mtproto::tl

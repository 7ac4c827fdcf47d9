// Value types of TL's built-in scalars, shared by the runtime and generated code.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace mtproto::tl {

/// TL `int128`: 16 raw bytes as they appear on the wire (nonces).
using int128 = std::array<std::uint8_t, 16>;
/// TL `int256`: 32 raw bytes as they appear on the wire.
using int256 = std::array<std::uint8_t, 32>;
/// TL `bytes`: arbitrary binary payload.
using bytes = std::vector<std::uint8_t>;

/// Constructor ids the runtime itself needs to know.
namespace ids {
inline constexpr std::uint32_t vector = 0x1cb5c415;
inline constexpr std::uint32_t bool_true = 0x997275b5;
inline constexpr std::uint32_t bool_false = 0xbc799737;
inline constexpr std::uint32_t gzip_packed = 0x3072cfa1;
}  // namespace ids

}  // namespace mtproto::tl

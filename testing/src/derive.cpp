#include "mtproto/testdc/derive.h"

#include <array>
#include <span>

#include "mtproto/crypto/sha.h"

namespace mtproto::testdc {

std::uint64_t derive_u64(std::uint64_t seed, std::string_view label) {
  std::array<std::uint8_t, 8> s{};
  for (std::size_t i = 0; i < 8; ++i) s[i] = static_cast<std::uint8_t>(seed >> (8 * i));
  const auto bytes = [](std::string_view v) {
    return std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(v.data()), v.size());
  };
  const auto d = crypto::sha256({bytes("mtproto-testdc id"), s, bytes(label)});
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(d[i]) << (8 * i);
  return v;
}

}  // namespace mtproto::testdc

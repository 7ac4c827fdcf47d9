// A deterministic random_source for tests: the sans-IO core draws every random byte from one, so a
// seed fixes an exchange (nonces, padding, DH exponents) and a failure replays.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <span>

#include "mtproto/crypto/random.h"

namespace mtproto::test {

/// Bytes from a std::mt19937_64 seeded with `seed`; copies of the source share one generator.
inline crypto::random_source seeded(std::uint64_t seed) {
  auto rng = std::make_shared<std::mt19937_64>(seed);
  return [rng](std::span<std::uint8_t> out) {
    for (auto& b : out) b = static_cast<std::uint8_t>((*rng)());
  };
}

}  // namespace mtproto::test

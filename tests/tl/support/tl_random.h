// Seeded random values for tlgen's generated test helpers (--testing): scalars, strings that
// reach the 0xfe long-length form, vectors whose length shrinks to zero at the depth limit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>

#include "mtproto/tl/types.h"

namespace mtproto::tl::testing {

class random_source {
 public:
  explicit random_source(std::uint64_t seed, int max_depth = 3) : rng_(seed), max_depth_(max_depth) {}

  int max_depth() const noexcept { return max_depth_; }

  std::int32_t int32() { return static_cast<std::int32_t>(rng_()); }
  std::int64_t int64() { return static_cast<std::int64_t>(rng_()); }
  /// Finite values only: NaN != NaN would make equal objects compare unequal.
  double real() { return std::uniform_real_distribution<double>(-1e9, 1e9)(rng_); }
  bool coin() { return (rng_() & 1) != 0; }
  std::size_t below(std::size_t n) { return n ? static_cast<std::size_t>(rng_() % n) : 0; }

  /// Whether an optional field is present; never below the depth limit, so recursion ends.
  bool present(int depth) { return depth < max_depth_ && coin(); }
  /// Vector length: 0..3, and 0 at the depth limit.
  std::size_t count(int depth) { return depth < max_depth_ ? below(4) : 0; }

  std::string text() {
    const auto b = blob();
    return std::string(b.begin(), b.end());
  }
  /// Mostly short, sometimes 250..300 bytes to cover both length encodings (the switch is at 254).
  bytes blob() {
    const std::size_t n = below(8) == 0 ? 250 + below(51) : below(20);
    bytes out(n);
    for (auto& c : out) c = static_cast<std::uint8_t>(rng_());
    return out;
  }
  int128 i128() { return fill<int128>(); }
  int256 i256() { return fill<int256>(); }

 private:
  template <class A>
  A fill() {
    A a{};
    for (auto& c : a) c = static_cast<std::uint8_t>(rng_());
    return a;
  }

  std::mt19937_64 rng_;
  int max_depth_;
};

}  // namespace mtproto::tl::testing

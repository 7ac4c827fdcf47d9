// Shared helpers of the crypto tests.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "support/hex.h"
#include "support/json.h"

namespace mtproto::test {

inline std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

template <std::size_t N>
std::span<const std::uint8_t, N> fixed(const std::vector<std::uint8_t>& v) {
  if (v.size() < N) throw std::runtime_error("vector too short for fixed span");
  return std::span<const std::uint8_t, N>(v.data(), N);
}

inline json load_vectors(const std::string& name) { return json::parse_file(shared_path("vectors/" + name)); }

}  // namespace mtproto::test

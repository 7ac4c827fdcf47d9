#include "mtproto/crypto/sha256_many.h"

#include <catch2/catch.hpp>

#include <vector>

using namespace mtproto::crypto;

TEST_CASE("sha256_prefixed_many equals SHA-256(prefix || data) one at a time", "[crypto][sha][many]") {
  // Lengths around every tail shape (prefix alone, under a block, one and two padding blocks),
  // long ones whose lanes end at different blocks, and one not in 16-byte blocks (one by one).
  const std::vector<std::size_t> lengths = {0, 16, 32, 48, 64, 80, 96, 112, 128, 4096, 65536 + 16, 1000, 17 * 16, 3};
  for (std::size_t count : {std::size_t{1}, std::size_t{2}, std::size_t{4}, std::size_t{5}, lengths.size()}) {
    INFO(count << " inputs");
    std::vector<std::array<std::uint8_t, 32>> prefixes(count);
    std::vector<std::vector<std::uint8_t>> data(count);
    std::vector<sha256_digest> got(count);
    std::vector<sha256_prefixed_input> inputs;
    for (std::size_t i = 0; i < count; ++i) {
      for (std::size_t j = 0; j < 32; ++j) prefixes[i][j] = static_cast<std::uint8_t>(i * 7 + j);
      data[i].resize(lengths[(i * 5 + count) % lengths.size()]);
      for (std::size_t j = 0; j < data[i].size(); ++j) data[i][j] = static_cast<std::uint8_t>(j * 13 + i);
      inputs.push_back({prefixes[i], data[i], &got[i]});
    }
    sha256_prefixed_many(inputs);
    for (std::size_t i = 0; i < count; ++i) {
      INFO("input " << i << ", " << data[i].size() << " bytes");
      CHECK(got[i] == sha256({std::span<const std::uint8_t>(prefixes[i]), data[i]}));
    }
  }
  sha256_prefixed_many({});
}

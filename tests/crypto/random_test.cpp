#include "mtproto/crypto/random.h"

#include <array>
#include <catch2/catch.hpp>

TEST_CASE("secure_random fills the whole span with fresh bytes", "[crypto][random]") {
  std::array<std::uint8_t, 64> a{}, b{};
  mtproto::crypto::secure_random(a);
  mtproto::crypto::secure_random(b);
  // 2^-512 chance of a false failure for each check.
  CHECK(a != std::array<std::uint8_t, 64>{});
  CHECK(a != b);
  mtproto::crypto::secure_random({});  // empty is fine
}

#include <catch2/catch.hpp>

#include "mtproto/tl/error.h"
#include "mtproto/tl/gzip.h"

using namespace mtproto::tl;

TEST_CASE("gzip round trip") {
  std::vector<std::uint8_t> data(100000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>((i * 7) ^ (i >> 5));
  auto packed = gzip(data);
  CHECK(packed.size() < data.size());
  CHECK(packed[0] == 0x1f);
  CHECK(packed[1] == 0x8b);
  CHECK(gunzip(packed, 1 << 20) == data);
  CHECK(gunzip(packed, data.size()) == data);  // exactly at the cap is fine
}

TEST_CASE("gunzip enforces its output cap (zip bombs)") {
  std::vector<std::uint8_t> zeros(10u << 20, 0);
  auto packed = gzip(zeros, 9);
  CHECK(packed.size() < 20000);
  try {
    gunzip(packed, 1u << 20);
    FAIL("expected gzip_too_large");
  } catch (const decode_error& e) {
    CHECK(e.code() == decode_errc::gzip_too_large);
  }
}

TEST_CASE("gunzip rejects corrupt and truncated streams") {
  std::vector<std::uint8_t> data(5000, 'a');
  auto packed = gzip(data);
  auto truncated = packed;
  truncated.resize(truncated.size() / 2);
  CHECK_THROWS_AS(gunzip(truncated, 1 << 20), decode_error);
  std::vector<std::uint8_t> garbage = {1, 2, 3, 4, 5, 6, 7, 8};
  CHECK_THROWS_AS(gunzip(garbage, 1 << 20), decode_error);
  CHECK_THROWS_AS(gunzip({}, 1 << 20), decode_error);
}

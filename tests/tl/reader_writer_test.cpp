#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <random>

#include "mtproto/tl/reader.h"
#include "mtproto/tl/writer.h"

using namespace mtproto::tl;

namespace {
std::vector<std::uint8_t> hex(std::string_view h) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<std::uint8_t>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}
decode_errc errc_of(const decode_error& e) { return static_cast<decode_errc>(e.code().value()); }
}  // namespace

TEST_CASE("scalars encode little-endian and round-trip") {
  std::vector<std::uint8_t> buf;
  writer w(buf);
  w.write_int(-2);
  w.write_long(0x0102030405060708);
  w.write_double(1.5);
  w.write_bool(true);
  w.write_bool(false);
  int128 n128{};
  for (int i = 0; i < 16; ++i) n128[i] = static_cast<std::uint8_t>(i);
  w.write_int128(n128);
  CHECK(buf.size() == 4 + 8 + 8 + 4 + 4 + 16);
  CHECK(std::vector<std::uint8_t>(buf.begin(), buf.begin() + 12) == hex("feffffff0807060504030201"));
  CHECK(std::vector<std::uint8_t>(buf.begin() + 20, buf.begin() + 28) == hex("b5757299" "379779bc"));

  reader r(buf);
  CHECK(r.read_int() == -2);
  CHECK(r.read_long() == 0x0102030405060708);
  CHECK(r.read_double() == 1.5);
  CHECK(r.read_bool());
  CHECK_FALSE(r.read_bool());
  CHECK(r.read_int128() == n128);
  CHECK(r.at_end());
}

TEST_CASE("strings use the short form below 254 bytes and the 0xfe form above, padded to 4") {
  for (std::size_t len : {0u, 1u, 2u, 3u, 4u, 252u, 253u, 254u, 255u, 256u, 1000u, 70000u}) {
    std::string s(len, 'x');
    for (std::size_t i = 0; i < len; ++i) s[i] = static_cast<char>('a' + i % 26);
    std::vector<std::uint8_t> buf;
    writer w(buf);
    w.write_string(s);
    CHECK(buf.size() % 4 == 0);
    CHECK(buf.size() == encoded_bytes_size(len));
    if (len < 254) {
      CHECK(buf[0] == len);
    } else {
      CHECK(buf[0] == 254);
      CHECK((buf[1] | buf[2] << 8 | buf[3] << 16) == static_cast<int>(len));
    }
    reader r(buf);
    CHECK(r.read_string() == s);
    CHECK(r.at_end());
  }
  // The documented example: "hello" -> 05 68 65 6c 6c 6f 00 00.
  std::vector<std::uint8_t> buf;
  writer(buf).write_string("hello");
  CHECK(buf == hex("0568656c6c6f0000"));
}

TEST_CASE("vectors carry 0x1cb5c415 and a count checked against the remaining input") {
  std::vector<std::uint8_t> buf;
  writer w(buf);
  w.write_vector_header(3);
  for (int i = 0; i < 3; ++i) w.write_long(i);
  CHECK(std::vector<std::uint8_t>(buf.begin(), buf.begin() + 4) == hex("15c4b51c"));
  reader r(buf);
  REQUIRE(r.read_vector_header(8) == 3);
  for (int i = 0; i < 3; ++i) CHECK(r.read_long() == i);

  // A hostile count is refused before anything is allocated.
  std::vector<std::uint8_t> evil = hex("15c4b51cffffff7f00000000");
  reader r2(evil);
  try {
    r2.read_vector_header();
    FAIL("expected decode_error");
  } catch (const decode_error& e) {
    CHECK(errc_of(e) == decode_errc::length_exceeds_input);
  }
}

TEST_CASE("truncated and malformed input gives typed errors") {
  SECTION("truncated int") {
    std::vector<std::uint8_t> b = {1, 2, 3};
    reader r(b);
    CHECK_THROWS_AS(r.read_int(), decode_error);
  }
  SECTION("string longer than input") {
    std::vector<std::uint8_t> b = hex("fe000001" "00000000");
    reader r(b);
    try {
      r.read_string();
      FAIL();
    } catch (const decode_error& e) {
      CHECK(errc_of(e) == decode_errc::length_exceeds_input);
    }
  }
  SECTION("0xff length prefix") {
    std::vector<std::uint8_t> b = hex("ff000000");
    reader r(b);
    CHECK_THROWS_AS(r.read_bytes_view(), decode_error);
  }
  SECTION("bad Bool") {
    std::vector<std::uint8_t> b = hex("01020304");
    reader r(b);
    try {
      r.read_bool();
      FAIL();
    } catch (const decode_error& e) {
      CHECK(errc_of(e) == decode_errc::invalid_bool);
    }
  }
  SECTION("wrong vector id") {
    std::vector<std::uint8_t> b = hex("0000000000000000");
    reader r(b);
    CHECK_THROWS_AS(r.read_vector_header(), decode_error);
  }
  SECTION("trailing data") {
    std::vector<std::uint8_t> b = hex("0000000000000000");
    reader r(b);
    r.read_int();
    CHECK_THROWS_AS(r.expect_end(), decode_error);
  }
}

TEST_CASE("decode_error accumulates an outside-in path") {
  decode_error e(decode_errc::truncated, "need 4");
  e.add_context("upload.file", "bytes");
  e.add_context("rpc_result", "result");
  CHECK(e.where() == "rpc_result.result > upload.file.bytes");
  CHECK(std::string(e.what()).find("upload.file.bytes") != std::string::npos);
  CHECK(e.code() == decode_errc::truncated);
}

TEST_CASE("depth guard stops runaway nesting") {
  std::vector<std::uint8_t> b;
  reader r(b, reader_limits{.max_depth = 3});
  reader::depth_guard g1(r), g2(r), g3(r);
  try {
    reader::depth_guard g4(r);
    FAIL();
  } catch (const decode_error& e) {
    CHECK(errc_of(e) == decode_errc::depth_exceeded);
  }
}

TEST_CASE("reader never reads out of bounds on random input") {
  std::mt19937 rng(42);
  std::size_t reads = 0, refusals = 0;
  for (int iter = 0; iter < 2000; ++iter) {
    std::vector<std::uint8_t> b(rng() % 64);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    reader r(b);
    try {
      while (!r.at_end()) {
        const std::size_t before = r.position();
        std::size_t fixed = 0;  // bytes a fixed-size read must consume
        switch (rng() % 5) {
          case 0: r.read_int(); fixed = 4; break;
          case 1: {
            const auto v = r.read_bytes_view();
            // The view lies inside the input, before the new position.
            REQUIRE((v.empty() || (v.data() >= b.data() && v.data() + v.size() <= b.data() + r.position())));
            break;
          }
          case 2: r.read_vector_header(); fixed = 8; break;
          case 3: r.read_int256(); fixed = 32; break;
          default: r.read_bool(); fixed = 4; break;
        }
        REQUIRE(r.position() <= b.size());
        REQUIRE(r.position() > before);
        if (fixed) REQUIRE(r.position() - before == fixed);
        ++reads;
      }
    } catch (const decode_error& e) {
      const auto ec = errc_of(e);
      INFO(e.what());
      CHECK((ec == decode_errc::truncated || ec == decode_errc::length_exceeds_input ||
             ec == decode_errc::invalid_bool || ec == decode_errc::unexpected_constructor ||
             ec == decode_errc::invalid_value));  // a 0xff string length prefix
      ++refusals;
    }
  }
  // Both outcomes happened many times, so the loop above checked something.
  CHECK(reads > 500);
  CHECK(refusals > 1000);
}

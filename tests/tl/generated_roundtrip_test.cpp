// Every constructor and (non-generic) function of tl-schema/ (or whatever MTPROTO_API_SCHEMA
// the library was generated from): random values survive write -> read -> write byte for byte
// and compare equal; every truncation of a valid encoding and random garbage after a valid id
// are rejected with tl::decode_error (never a crash: this test runs under ASan+UBSan in CI).
#include <catch2/catch.hpp>

#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "mtproto/api/registry.h"
#include "mtproto/api/testing.h"
#include "mtproto/mt/registry.h"
#include "mtproto/mt/testing.h"
#include "mtproto/tl/schema_info.h"

using mtproto::tl::object;
using mtproto::tl::reader;
using mtproto::tl::writer;
using mtproto::tl::testing::random_source;

namespace {

constexpr int seeds_per_combinator = 12;

std::vector<std::uint8_t> encode(const object& o) {
  std::vector<std::uint8_t> out;
  writer w(out);
  o.write(w);
  return out;
}

// Reads a boxed constructor or a function call with the schema's id tables.
object decode(const mtproto::tl::schema_info& schema, bool is_function, std::span<const std::uint8_t> bytes) {
  reader r(bytes);
  object o = is_function ? mtproto::tl::read_function_call(schema, r) : mtproto::tl::read_object(schema, r);
  r.expect_end();
  return o;
}

template <class Sample>
void round_trip_all(const mtproto::tl::schema_info& schema, std::span<const Sample> samples) {
  REQUIRE(!samples.empty());
  std::size_t checked = 0;
  for (const auto& s : samples) {
    // The first combinator with a shared id is the one reading by id finds.
    const auto* by_id = s.ops->is_function ? schema.find_function(s.ops->id) : schema.find_constructor(s.ops->id);
    REQUIRE(by_id != nullptr);
    if (by_id != s.ops) continue;
    for (int seed = 0; seed < seeds_per_combinator; ++seed) {
      INFO(std::string(s.ops->name) << " seed " << seed);
      random_source g(static_cast<std::uint64_t>(seed) * 7919u + s.ops->id);
      const object original = s.make(g);
      REQUIRE(original.ops() == s.ops);
      const auto bytes = encode(original);
      const object decoded = decode(schema, s.ops->is_function, bytes);
      CHECK(decoded.ops() == s.ops);
      CHECK(decoded == original);
      CHECK(encode(decoded) == bytes);
      const object copy = decoded;  // deep copy
      CHECK(copy == original);
      CHECK(!mtproto::tl::to_text(copy).empty());
      ++checked;
    }
  }
  CHECK(checked > 0);
}

template <class Sample>
void truncations_and_garbage_all(const mtproto::tl::schema_info& schema, std::span<const Sample> samples) {
  for (const auto& s : samples) {
    const auto* by_id = s.ops->is_function ? schema.find_function(s.ops->id) : schema.find_constructor(s.ops->id);
    if (by_id != s.ops) continue;
    random_source g(s.ops->id);
    const auto bytes = encode(s.make(g));
    INFO(std::string(s.ops->name));
    // A TL encoding is prefix-free: every strict prefix must fail, and must fail cleanly.
    for (std::size_t n = 0; n < bytes.size(); ++n) {
      INFO("prefix of " << n << " of " << bytes.size() << " bytes");
      CHECK_THROWS_AS(decode(schema, s.ops->is_function, std::span(bytes).first(n)), mtproto::tl::decode_error);
    }
    // Random bytes behind a valid id: either a valid object or a decode_error, nothing else.
    std::mt19937_64 rng(s.ops->id);
    for (int round = 0; round < 64; ++round) {
      std::vector<std::uint8_t> junk(4 + rng() % 96);
      for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
      for (int i = 0; i < 4; ++i) junk[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(s.ops->id >> (8 * i));
      try {
        reader r(junk);
        (void)(s.ops->is_function ? mtproto::tl::read_function_call(schema, r) : mtproto::tl::read_object(schema, r));
      } catch (const mtproto::tl::decode_error&) {
      }
    }
    // Corrupting one byte of a valid encoding: same rule.
    for (std::size_t i = 4; i < bytes.size(); i += 1 + bytes.size() / 64) {
      auto corrupt = bytes;
      corrupt[i] ^= static_cast<std::uint8_t>(1 + rng() % 255);
      try {
        decode(schema, s.ops->is_function, corrupt);
      } catch (const mtproto::tl::decode_error&) {
      }
    }
  }
}

}  // namespace

TEST_CASE("every mtproto.tl combinator round-trips") {
  round_trip_all(mtproto::mt::schema(), mtproto::mt::testing::samples());
}

TEST_CASE("every api schema combinator round-trips") {
  round_trip_all(mtproto::api::schema(), mtproto::api::testing::samples());
}

TEST_CASE("readers reject every truncation and survive garbage (mtproto.tl)") {
  truncations_and_garbage_all(mtproto::mt::schema(), mtproto::mt::testing::samples());
}

TEST_CASE("readers reject every truncation and survive garbage (api schema)") {
  truncations_and_garbage_all(mtproto::api::schema(), mtproto::api::testing::samples());
}

TEST_CASE("every boxed type's reader rejects foreign constructor ids and survives garbage") {
  for (const auto* info : {&mtproto::api::schema(), &mtproto::mt::schema()}) {
    REQUIRE(!info->types.empty());
    std::mt19937_64 rng(42);
    for (const auto* type : info->types) {
      INFO(std::string(type->name));
      for (int round = 0; round < 32; ++round) {
        std::vector<std::uint8_t> junk(rng() % 64);
        for (auto& b : junk) b = static_cast<std::uint8_t>(rng());
        try {
          reader r(junk);
          (void)type->read(r);
        } catch (const mtproto::tl::decode_error&) {
        }
      }
      // An id of no constructor at all is an unexpected_constructor naming the type.
      std::vector<std::uint8_t> bogus{0x00, 0x00, 0x00, 0x00};
      reader r(bogus);
      try {
        (void)type->read(r);
        FAIL("id 0 accepted");
      } catch (const mtproto::tl::decode_error& e) {
        CHECK(e.code() == mtproto::tl::decode_errc::unexpected_constructor);
        CHECK(std::string(e.what()).find(std::string(type->name)) != std::string::npos);
      }
    }
  }
}

// The golden schema's generated code compiles (keywords, name collisions, a computed id, recursion,
// bare vectors, a generic function) and behaves: every combinator round-trips.
#include <catch2/catch.hpp>

#include <type_traits>
#include <vector>

#include "golden/Tree.h"
#include "golden/fn/invokeWrapped.h"
#include "golden/fn/sample/getItems.h"
#include "golden/registry.h"
#include "golden/sample/Item_2.h"
#include "golden/testing.h"
#include "mtproto/tl/schema_info.h"

namespace tl = mtproto::tl;

TEST_CASE("golden schema: names and ids") {
  STATIC_REQUIRE(golden::sample::itemEmpty::constructor_id == 0x63f49f97);  // computed, not declared
  STATIC_REQUIRE(std::is_same_v<decltype(golden::sample::itemEmpty::class_), std::int32_t>);
  STATIC_REQUIRE(std::is_same_v<decltype(golden::sample::itemEmpty::itemEmpty_), bool>);
  STATIC_REQUIRE(std::is_same_v<golden::sample::getItems::result_type, std::vector<golden::sample::Item>>);
  STATIC_REQUIRE(std::is_same_v<golden::invokeWrapped<golden::sample::getItems>::result_type,
                                std::vector<golden::sample::Item>>);
}

TEST_CASE("golden schema: recursive boxed values and bare vectors encode as specified") {
  const golden::Tree tree = golden::node{
      .children = {golden::leaf{.value = "a"}, golden::node{.children = {}, .tags = {}}},
      .tags = {golden::tag{.key = "k"}},
  };
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  tree.write(w);
  const std::vector<std::uint8_t> expected = {
      0x47, 0x72, 0xe8, 0xe4,                          // node
      0x15, 0xc4, 0xb5, 0x1c, 2, 0, 0, 0,              // Vector<Tree>, 2 elements
      0x8a, 0x8b, 0x51, 0x45, 1, 'a', 0, 0,            // leaf "a"
      0x47, 0x72, 0xe8, 0xe4, 0x15, 0xc4, 0xb5, 0x1c,  // node, empty Vector<Tree>
      0, 0, 0, 0, 0, 0, 0, 0,                          // ..., empty bare vector
      1, 0, 0, 0, 1, 'k', 0, 0,                        // vector<%Tag>: count 1, bare tag "k"
  };
  CHECK(out == expected);
  tl::reader r(out);
  CHECK(golden::Tree::read(r) == tree);
}

TEST_CASE("golden schema: a generic function wraps any query") {
  const golden::invokeWrapped<golden::sample::getItems> call{.tree = golden::Tree(golden::leaf{.value = ""}),
                                                             .query = {.ids = {1}}};
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  call.write(w);
  CHECK(out.size() == 4 + 4 + 8 + 4 + 8 + 8);
  CHECK(out[4] == 1);  // flags.0: tree present
}

TEST_CASE("golden schema: every combinator round-trips") {
  for (const auto& s : golden::testing::samples()) {
    for (int seed = 0; seed < 20; ++seed) {
      INFO(std::string(s.ops->name) << " seed " << seed);
      tl::testing::random_source g(static_cast<std::uint64_t>(seed));
      const auto original = s.make(g);
      std::vector<std::uint8_t> bytes;
      tl::writer w(bytes);
      original.write(w);
      tl::reader r(bytes);
      const auto back = s.ops->is_function ? tl::read_function_call(golden::schema(), r)
                                           : tl::read_object(golden::schema(), r);
      CHECK(r.at_end());
      CHECK(back == original);
    }
  }
}

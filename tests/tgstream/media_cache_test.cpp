// The metadata cache: per account, TTL, least recently used out first, invalidation per link.
#include <catch2/catch.hpp>

#include "media_cache.h"

using namespace tgstream;
using namespace std::chrono_literals;

namespace {

mtproto::download::resolved_link with_channel(std::int64_t id) {
  mtproto::download::resolved_link r;
  r.channel_id = id;
  return r;
}

}  // namespace

TEST_CASE("entries expire after the TTL and are per account", "[tgstream][cache]") {
  media_cache c({std::chrono::seconds(10), 100});
  const auto t0 = media_cache::clock::now();
  c.store(0, "L", with_channel(1), t0);
  REQUIRE(c.find(0, "L", t0 + 9s));
  CHECK(c.find(0, "L", t0 + 9s)->channel_id == 1);
  CHECK_FALSE(c.find(1, "L", t0));
  CHECK_FALSE(c.find(0, "L", t0 + 10s));
  CHECK(c.size() == 0);  // an expired entry found is dropped
  CHECK(c.hits() == 2);
  CHECK(c.misses() == 2);
}

TEST_CASE("the least recently used entry goes first; invalidate drops a link for every account", "[tgstream][cache]") {
  media_cache c({std::chrono::seconds(100), 2});
  const auto t0 = media_cache::clock::now();
  c.store(0, "A", with_channel(1), t0);
  c.store(0, "B", with_channel(2), t0);
  REQUIRE(c.find(0, "A", t0));  // A is now the most recent
  c.store(0, "C", with_channel(3), t0);
  CHECK(c.find(0, "A", t0));
  CHECK_FALSE(c.find(0, "B", t0));
  CHECK(c.find(0, "C", t0));
  c.store(1, "C", with_channel(4), t0);
  c.invalidate("C");
  CHECK_FALSE(c.find(0, "C", t0));
  CHECK_FALSE(c.find(1, "C", t0));
  CHECK(c.size() == 0);
}

// Requests per client: a burst, then the steady rate; clients apart; memory bounded.
#include <catch2/catch.hpp>

#include "rate_limiter.h"

using namespace tgstream;
using namespace std::chrono_literals;

TEST_CASE("a burst, then one request per 1/rate seconds", "[tgstream][rate]") {
  rate_limiter r({10, 5, 100});
  const auto t0 = rate_limiter::clock::now();
  for (int i = 0; i < 5; ++i) CHECK(r.allow("a", t0));
  std::chrono::milliseconds wait{};
  CHECK_FALSE(r.allow("a", t0, &wait));
  CHECK(wait == 100ms);
  CHECK(r.allow("b", t0));  // another client has its own bucket
  CHECK_FALSE(r.allow("a", t0 + 50ms));
  CHECK(r.allow("a", t0 + 101ms));
  CHECK_FALSE(r.allow("a", t0 + 101ms));
  // Idle for long: the bucket is full again, not fuller.
  for (int i = 0; i < 5; ++i) CHECK(r.allow("a", t0 + 1h));
  CHECK_FALSE(r.allow("a", t0 + 1h));
}

TEST_CASE("no limit when the rate is 0; idle clients are forgotten first", "[tgstream][rate]") {
  rate_limiter none({0, 0, 1});
  for (int i = 0; i < 100; ++i) CHECK(none.allow("x", rate_limiter::clock::now()));
  rate_limiter r({1, 2, 3});
  const auto t0 = rate_limiter::clock::now();
  CHECK(r.allow("a", t0));
  CHECK(r.allow("b", t0));
  CHECK(r.allow("c", t0));
  CHECK(r.clients() == 3);
  CHECK(r.allow("d", t0 + 10s));  // all three are idle by now: dropped, d starts fresh
  CHECK(r.clients() == 1);
  for (int i = 0; i < 10; ++i) r.allow("client" + std::to_string(i), t0 + 10s);
  CHECK(r.clients() <= 3);
}

#include <catch2/catch.hpp>

#include "mtproto/client/retry_policy.h"

using namespace mtproto::client;
using namespace std::chrono_literals;

TEST_CASE("backoff: grows exponentially, is capped, jitters within [base/2, base]", "[retry]") {
  backoff_policy p;
  p.initial_delay = 100ms;
  p.multiplier = 2;
  p.max_delay = 1000ms;
  p.max_failures = 10;
  p.max_elapsed = 1h;
  auto at = [&](int failures, double r) {
    retry_context c;
    c.failures = failures;
    return p.should_retry(c, [r] { return r; });
  };
  CHECK(at(1, 1.0) == 100ms);
  CHECK(at(1, 0.0) == 50ms);
  CHECK(at(2, 1.0) == 200ms);
  CHECK(at(3, 1.0) == 400ms);
  CHECK(at(5, 1.0) == 1000ms);  // 1600 capped
  CHECK(at(10, 0.5) == 750ms);
  CHECK_FALSE(at(11, 1.0).has_value());
}

TEST_CASE("backoff: gives up after max_elapsed even with failures left", "[retry]") {
  backoff_policy p;
  p.max_elapsed = 5s;
  retry_context c;
  c.failures = 1;
  c.elapsed = 6s;
  CHECK_FALSE(p.should_retry(c, [] { return 0.0; }).has_value());
}

TEST_CASE("backoff: huge failure counts neither overflow nor exceed the cap", "[retry]") {
  backoff_policy p;
  p.max_failures = 1'000'000;
  p.max_elapsed = 24h;
  retry_context c;
  c.failures = 999'999;
  auto d = p.should_retry(c, [] { return 1.0; });
  REQUIRE(d);
  CHECK(*d == p.max_delay);
}

TEST_CASE("retry policies as callables", "[retry]") {
  retry_context c;
  c.failures = 1;
  CHECK_FALSE(no_retry()(c).has_value());
  auto policy = make_retry_policy(backoff_policy{});
  auto d = policy(c);
  REQUIRE(d);
  CHECK(*d >= 100ms);
  CHECK(*d <= 200ms);
}

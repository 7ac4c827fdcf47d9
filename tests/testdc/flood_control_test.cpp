#include <catch2/catch.hpp>

#include "mtproto/testdc/flood_control.h"

using namespace mtproto::testdc;
using namespace std::chrono_literals;

TEST_CASE("every_nth_flood answers FLOOD_WAIT on exactly every N-th call") {
  every_nth_flood f(3, 7);
  int waits = 0;
  for (int i = 1; i <= 9; ++i) {
    auto w = f.on_call();
    if (i % 3 == 0) {
      REQUIRE(w);
      CHECK(*w == 7);
      ++waits;
    } else {
      CHECK_FALSE(w);
    }
  }
  CHECK(waits == 3);
  every_nth_flood off(0, 7);
  for (int i = 0; i < 10; ++i) CHECK_FALSE(off.on_call());
}

TEST_CASE("request_rate_limit counts per account and DC within a one-second window") {
  request_rate_limit limit(2);
  const auto t0 = request_rate_limit::clock::time_point{} + 100s;
  CHECK_FALSE(limit.on_request(1, 1, t0));
  CHECK_FALSE(limit.on_request(1, 1, t0 + 100ms));
  auto w = limit.on_request(1, 1, t0 + 200ms);
  REQUIRE(w);
  CHECK(*w == 1);  // what remains of the window, rounded up
  CHECK_FALSE(limit.on_request(1, 2, t0 + 200ms));  // another DC: its own window
  CHECK_FALSE(limit.on_request(2, 1, t0 + 200ms));  // another account
  CHECK_FALSE(limit.on_request(1, 1, t0 + 1001ms));  // a new window
}

TEST_CASE("premium_wait rests an account that is not premium once it was served the threshold") {
  premium_wait w(1000, 5, {42});
  const auto t0 = premium_wait::clock::now();
  CHECK_FALSE(w.on_request(7, t0));
  w.served(7, 600, t0);
  CHECK_FALSE(w.on_request(7, t0));
  w.served(7, 400, t0);  // the threshold: a rest of 5 s starts
  CHECK(w.on_request(7, t0) == 5);
  CHECK(w.on_request(7, t0 + 2500ms) == 3);  // rounded up
  CHECK(w.on_request(7, t0 + 4900ms) == 1);
  CHECK_FALSE(w.on_request(7, t0 + 5s));
  CHECK_FALSE(w.on_request(8, t0));  // per account
  w.served(7, 999, t0 + 5s);         // counting starts again after the rest
  CHECK_FALSE(w.on_request(7, t0 + 5s));
  w.served(42, 1'000'000, t0);  // premium
  CHECK_FALSE(w.on_request(42, t0));
  premium_wait off(0, 5, {});
  off.served(7, 1'000'000, t0);
  CHECK_FALSE(off.on_request(7, t0));
}

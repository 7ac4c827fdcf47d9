#include <catch2/catch.hpp>

#include "mtproto/session/msg_id.h"
#include "mtproto/session/replay_guard.h"

using namespace mtproto::session;
using namespace std::chrono_literals;

namespace {
const clock::time_point t0 = clock::time_point(1'700'000'000s) + 250ms;
}

TEST_CASE("msg_id encodes unix time in the high 32 bits and a fraction below") {
  const std::int64_t id = msg_id_at(t0);
  CHECK(msg_id_seconds(id) == 1'700'000'000);
  CHECK((id & 0xffffffff) == (1LL << 30));  // 0.25 s
  CHECK(std::chrono::abs(msg_id_time(id) - t0) < 1us);
}

TEST_CASE("generated ids are strictly increasing and carry the role in the low bits") {
  msg_id_generator g;
  std::int64_t prev = 0;
  for (int i = 0; i < 1000; ++i) {
    const auto id = g.next(t0);  // same instant: must still increase
    CHECK(id > prev);
    CHECK(id % 4 == 0);
    prev = id;
  }
  msg_id_generator s;
  for (int i = 0; i < 100; ++i) {
    const auto kind = i % 2 ? msg_kind::server_response : msg_kind::server_event;
    const auto id = s.next(t0, kind);
    CHECK(id > prev - 1000000);  // sanity
    CHECK(id % 4 == static_cast<int>(kind));
  }
  // The clock going backwards does not make ids go backwards.
  const auto before = g.next(t0 + 10s);
  CHECK(g.next(t0) > before);
}

TEST_CASE("offset from a server msg_id shifts generated ids") {
  msg_id_generator g;
  const auto server_id = msg_id_at(t0 + 3600s) | 1;
  g.sync_to(server_id, t0);
  CHECK(std::chrono::abs(g.offset() - 3600s) < 1ms);
  CHECK(msg_id_seconds(g.next(t0)) == 1'700'000'000 + 3600);
}

TEST_CASE("seqno counts content-related messages") {
  seqno_counter s;
  CHECK(s.next(true) == 1);
  CHECK(s.next(false) == 2);
  CHECK(s.next(true) == 3);
  CHECK(s.next(true) == 5);
  CHECK(s.next(false) == 6);
  s.bump(10);
  CHECK(s.next(true) == 21);
}

TEST_CASE("replay guard refuses duplicates, stale and future ids, and wrong parity") {
  replay_guard g(/*from_server=*/true, replay_limits{.window = 4});
  const auto id = [](clock::time_point t, int low) { return (msg_id_at(t) & ~std::int64_t{3}) | low; };
  CHECK(g.check(id(t0, 1), t0) == msg_id_verdict::fresh);
  CHECK(g.check(id(t0, 1), t0) == msg_id_verdict::duplicate);
  CHECK(g.check(id(t0 + 1ms, 0), t0) == msg_id_verdict::bad_parity);
  CHECK(g.check(id(t0 - 301s, 3), t0) == msg_id_verdict::too_old);
  CHECK(g.check(id(t0 + 31s, 3), t0) == msg_id_verdict::too_new);
  CHECK(g.check(id(t0 + 29s, 3), t0) == msg_id_verdict::fresh);
  for (int i = 1; i <= 4; ++i) CHECK(g.check(id(t0 + i * 1s, 1), t0) == msg_id_verdict::fresh);
  // Window full: something older than all remembered ids can no longer be checked -> refused.
  CHECK(g.check(id(t0 + 500ms, 1), t0) == msg_id_verdict::too_old);
  CHECK(g.check(id(t0, 1), t0) == msg_id_verdict::too_old);         // forgotten, so unverifiable
  CHECK(g.check(id(t0 + 4s, 1), t0) == msg_id_verdict::duplicate);  // still remembered

  replay_guard from_client(false);
  CHECK(from_client.check(id(t0, 0), t0) == msg_id_verdict::fresh);
  CHECK(from_client.check(id(t0 + 1ms, 1), t0) == msg_id_verdict::bad_parity);
}

TEST_CASE("a time sync to a server clock msg_ids cannot carry is refused") {
  msg_id_generator g;
  g.set_offset(5s);
  const auto before = g.offset();
  CHECK_FALSE(g.sync_to(std::int64_t{100} << 32 | 1, t0));                       // 1970
  CHECK_FALSE(g.sync_to(std::int64_t{0x7fffffff} << 32 | 1, t0));                // 2038
  CHECK_FALSE(g.sync_to(-(std::int64_t{1} << 40), t0));                          // negative
  CHECK(g.offset() == before);
  CHECK(g.sync_to(msg_id_at(t0 + 60s) | 1, t0));
}

TEST_CASE("a sync that does not move the clock back never repeats an id") {
  msg_id_generator g;
  std::int64_t last = 0;
  for (int i = 0; i < 100; ++i) last = g.next(t0);  // a burst: ids step by 4 past the clock
  CHECK(g.sync_to(msg_id_at(t0) | 1, t0));           // same offset
  CHECK(g.next(t0) > last);
}

TEST_CASE("next_above is above the floor and every id before a backward sync") {
  msg_id_generator g;
  const auto early = g.next(t0 + 3600s);
  CHECK(g.sync_to(msg_id_at(t0) | 1, t0 + 3600s));  // the clock was an hour ahead
  const auto corrected = g.next(t0 + 3600s);
  CHECK(corrected < early);
  const auto container = g.next_above(t0 + 3600s, early - 4);
  CHECK(container > early);
  CHECK(g.next(t0 + 3600s) > container);  // and ids stay increasing after it
}

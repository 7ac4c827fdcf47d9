#include "mtproto/download/flood_gate.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <tuple>
#include <vector>

using namespace mtproto::download;
using namespace std::chrono_literals;
using clock_type = flood_gate::clock;

namespace {

const clock_type::time_point t0 = clock_type::time_point{} + 1000h;

// A source that always yields `value` as its little-endian 32-bit draw.
mtproto::crypto::random_source fixed(std::uint32_t value) {
  return [value](std::span<std::uint8_t> out) {
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(value >> (8 * (i % 4)));
  };
}

const mtproto::crypto::random_source no_jitter;

}  // namespace

TEST_CASE("a wait closes one (account, DC) pair until it is over", "[download][flood_gate]") {
  flood_gate gate;
  CHECK(gate.is_open("alice", 2, t0));
  const auto r = gate.report_wait("alice", 2, 31s, t0, no_jitter);
  CHECK(r.action == flood_action::sleep);
  CHECK(r.ready_at == t0 + 31s);
  CHECK(r.jitter == clock_type::duration::zero());
  CHECK_FALSE(gate.is_open("alice", 2, t0 + 30s));
  CHECK(gate.ready_at("alice", 2, t0 + 30s) == t0 + 31s);
  CHECK(gate.is_open("alice", 2, t0 + 31s));
  CHECK(gate.ready_at("alice", 2, t0 + 40s) == t0 + 40s);
  CHECK(gate.is_open("alice", 4, t0));
  CHECK(gate.is_open("bob", 2, t0));
}

TEST_CASE("jitter is drawn from the source and bounded", "[download][flood_gate]") {
  flood_gate gate;
  // 10% of 30 s is 3 s: the largest draw gives just under it, the smallest none.
  const auto top = gate.report_wait("a", 1, 30s, t0, fixed(0xffffffff));
  CHECK(top.jitter > 2900ms);
  CHECK(top.jitter < 3000ms);
  CHECK(top.ready_at == t0 + 30s + top.jitter);
  CHECK(gate.report_wait("b", 1, 30s, t0, fixed(0)).jitter == clock_type::duration::zero());
  CHECK(gate.report_wait("c", 1, 30s, t0, fixed(0x80000000)).jitter == 1500ms);
  // Capped by max_jitter (10 s) for long waits.
  const auto longer = gate.report_wait("d", 1, 3600s, t0, fixed(0xffffffff));
  CHECK(longer.jitter < 10s);
  CHECK(longer.jitter > 9900ms);

  flood_gate_options o;
  o.jitter_percent = 500;  // clamped to 100
  o.max_jitter = 100h;     // clamped to max_flood_jitter_limit
  flood_gate wide(o);
  CHECK(wide.options().jitter_percent == 100);
  CHECK(wide.options().max_jitter == max_flood_jitter_limit);
  CHECK(wide.report_wait("a", 1, 10s, t0, fixed(0xffffffff)).jitter < 10s);
}

TEST_CASE("the auto-sleep limit decides between sleeping and handing the wait back", "[download][flood_gate]") {
  flood_gate gate;
  CHECK(gate.report_wait("a", 1, 60s, t0, fixed(0xffffffff)).action == flood_action::sleep);  // jitter does not tip it
  CHECK(gate.report_wait("a", 2, 61s, t0, no_jitter).action == flood_action::too_long);
  CHECK(gate.decide(60s) == flood_action::sleep);
  CHECK(gate.decide(60s + 1ms) == flood_action::too_long);
  // A short wait on a pair already closed for long is as long as what is left.
  gate.report_wait("b", 1, 3600s, t0, no_jitter);
  const auto r = gate.report_wait("b", 1, 5s, t0 + 10s, no_jitter);
  CHECK(r.action == flood_action::too_long);
  CHECK(r.ready_at == t0 + 3600s);

  flood_gate_options o;
  o.auto_sleep_limit = 5s;
  flood_gate strict(o);
  CHECK(strict.report_wait("a", 1, 6s, t0, no_jitter).action == flood_action::too_long);
}

TEST_CASE("a later, shorter wait never reopens a pair early", "[download][flood_gate]") {
  flood_gate gate;
  gate.report_wait("a", 1, 100s, t0, no_jitter);
  CHECK(gate.report_wait("a", 1, 10s, t0 + 1s, no_jitter).ready_at == t0 + 100s);
  CHECK(gate.report_wait("a", 1, 200s, t0 + 2s, no_jitter).ready_at == t0 + 202s);
}

TEST_CASE("a transport -429 closes the pair for the configured default", "[download][flood_gate]") {
  flood_gate_options o;
  o.transport_flood_wait = 7s;
  flood_gate gate(o);
  const auto r = gate.report_transport_flood("a", 3, t0, no_jitter);
  CHECK(r.ready_at == t0 + 7s);
  CHECK(r.action == flood_action::sleep);
  CHECK(gate.flood_count("a") == 1);
}

TEST_CASE("floods are counted per account over all DCs", "[download][flood_gate]") {
  flood_gate gate;
  gate.report_wait("a", 1, 1s, t0, no_jitter);
  gate.report_wait("a", 2, 1s, t0, no_jitter);
  gate.report_wait("a", 2, 1s, t0 + 5s, no_jitter);
  gate.report_wait("b", 1, 1s, t0, no_jitter);
  CHECK(gate.flood_count("a") == 3);
  CHECK(gate.flood_count("b") == 1);
  CHECK(gate.flood_count("c") == 0);
}

TEST_CASE("waits out of range are clamped and time points saturate", "[download][flood_gate]") {
  flood_gate gate;
  CHECK(gate.report_wait("a", 1, -5s, t0, no_jitter).ready_at == t0);
  CHECK(gate.is_open("a", 1, t0));
  const auto clamped = gate.report_wait("a", 2, std::chrono::seconds::max(), t0, fixed(0xffffffff));
  CHECK(clamped.ready_at <= t0 + max_flood_wait + 10s);
  const auto late = clock_type::time_point::max() - 1s;
  const auto r = gate.report_wait("a", 3, 3600s, late, fixed(0xffffffff));
  CHECK(r.ready_at == clock_type::time_point::max());
  CHECK_FALSE(gate.is_open("a", 3, late));
}

TEST_CASE("the gate forgets what is open and stays within its bounds", "[download][flood_gate]") {
  flood_gate_options o;
  o.max_pairs = 8;
  o.max_accounts = 4;
  o.count_retention = 60s;
  flood_gate gate(o);

  for (int dc = 1; dc <= 8; ++dc) gate.report_wait("a", dc, std::chrono::seconds(10 * dc), t0, no_jitter);
  CHECK(gate.pair_count() == 8);
  // Full of closed pairs: the one that reopens soonest (DC 1, 10 s) makes room.
  gate.report_wait("a", 9, 1000s, t0, no_jitter);
  CHECK(gate.pair_count() == 8);
  CHECK(gate.is_open("a", 1, t0));
  CHECK_FALSE(gate.is_open("a", 2, t0));
  // Once some have reopened, they are dropped first.
  gate.report_wait("a", 10, 1000s, t0 + 35s, no_jitter);
  CHECK(gate.pair_count() == 7);  // DCs 2 and 3 reopened and were dropped; 4..10 closed
  CHECK_FALSE(gate.is_open("a", 4, t0 + 35s));

  // Accounts: four at most; the one that flooded least recently goes.
  for (int i = 0; i < 6; ++i)
    gate.report_wait("acct" + std::to_string(i), 1, 1s, t0 + std::chrono::seconds(40 + i), no_jitter);
  CHECK(gate.account_count() <= 4);
  CHECK(gate.pair_count() <= 8);
  CHECK(gate.flood_count("acct5") == 1);

  gate.expire(t0 + 10000s);
  CHECK(gate.pair_count() == 0);
  CHECK(gate.account_count() == 0);
}

TEST_CASE("flood counts outlive the closure for the retention time", "[download][flood_gate]") {
  flood_gate_options o;
  o.count_retention = 60s;
  flood_gate gate(o);
  gate.report_wait("a", 1, 5s, t0, no_jitter);
  gate.expire(t0 + 30s);
  CHECK(gate.pair_count() == 0);
  CHECK(gate.flood_count("a") == 1);
  gate.expire(t0 + 60s);
  CHECK(gate.flood_count("a") == 0);

  o.count_retention = 0s;
  o.max_pairs = 1;
  flood_gate forgetful(o);
  forgetful.report_wait("a", 1, 0s, t0, no_jitter);
  forgetful.report_wait("a", 2, 0s, t0, no_jitter);  // expiring while reporting must not lose the account under way
  CHECK(forgetful.flood_count("a") >= 1);
}

TEST_CASE("the observer hears every reported wait; close_until closes without counting or telling", "[download][flood_gate]") {
  flood_gate gate;
  std::vector<std::tuple<std::string, std::int32_t, clock_type::time_point>> heard;
  gate.set_observer([&](std::string_view account, std::int32_t dc, clock_type::time_point ready_at) {
    heard.emplace_back(std::string(account), dc, ready_at);
  });
  const auto r = gate.report_wait("alice", 2, 10s, t0, no_jitter);
  gate.report_transport_flood("bob", 4, t0, no_jitter);
  REQUIRE(heard.size() == 2);
  CHECK(heard[0] == std::tuple{std::string("alice"), 2, r.ready_at});
  CHECK(std::get<2>(heard[1]) == t0 + gate.options().transport_flood_wait);

  // Another process's wait: closed here too, but it is neither counted nor echoed.
  gate.close_until("carol", 1, t0 + 7s, t0);
  CHECK_FALSE(gate.is_open("carol", 1, t0 + 6s));
  CHECK(gate.is_open("carol", 1, t0 + 7s));
  CHECK(gate.flood_count("carol") == 0);
  CHECK(heard.size() == 2);
  // It never shortens a longer wait, ignores the past and is capped like a reported wait.
  gate.close_until("alice", 2, t0 + 1s, t0);
  CHECK(gate.ready_at("alice", 2, t0) == r.ready_at);
  gate.close_until("dave", 1, t0 - 5s, t0);
  CHECK(gate.is_open("dave", 1, t0));
  gate.close_until("erin", 1, t0 + 100 * 24h, t0);
  CHECK(gate.ready_at("erin", 1, t0) == t0 + max_flood_wait);
}

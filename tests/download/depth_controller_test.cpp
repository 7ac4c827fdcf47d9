#include "mtproto/download/depth_controller.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <queue>
#include <random>
#include <vector>

using namespace mtproto::download;
using namespace std::chrono_literals;
using clock_type = depth_controller::clock;
using phase = depth_controller::phase;

namespace {

const clock_type::time_point t0 = clock_type::time_point{} + 1000h;
constexpr std::uint32_t part_512k = 512 * 1024;

clock_type::duration seconds_f(double s) {
  return std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(s));
}

// What the simulated download runs over.
struct link_model {
  double session_bandwidth = 5e6;  // bytes/s each connection carries
  bool shared_link = false;        // all connections share one link of session_bandwidth instead
  clock_type::duration rtt = 50ms;
  double account_rate = 30;   // requests/s the account may make (a token bucket); 0: no limit
  double account_burst = 30;  // the bucket's size
  std::chrono::seconds flood_wait{3};
  int engine_cap = 0;  // > 0: the engine never has more requests in flight (a slow sink)
  std::uint32_t part_size = part_512k;
};

// A tiny discrete-event simulation of the engine around one controller: it keeps the targets
// filled, spreads requests over the least loaded connections, honours flood waits (as the flood
// gate would), and feeds every answer back. Each connection's link is FIFO: a request reaches the
// server after rtt/2, its part is sent once the link is free, and arrives rtt/2 after that.
class simulator {
 public:
  explicit simulator(link_model m, depth_options o = {}) : m_(m), ctl_(m.part_size, t0, o), tokens_(m.account_burst) {}

  void run_until(clock_type::time_point end) {
    while (true) {
      if (now_ >= gate_open_) fill();
      clock_type::time_point next = clock_type::time_point::max();
      if (!pending_.empty()) next = pending_.top().done;
      if (paced_ && next_send_ > now_) next = std::min(next, next_send_);
      if (gate_open_ > now_) next = std::min(next, gate_open_);
      if (ctl_.next_decision_at() > now_) next = std::min(next, ctl_.next_decision_at());
      if (next > end) break;
      now_ = next;
      if (!pending_.empty() && pending_.top().done == now_) {
        const request r = pending_.top();
        pending_.pop();
        --load_[static_cast<std::size_t>(r.session)];
        --in_flight_;
        if (r.flooded) {
          flood_times.push_back(now_);
          ctl_.on_flood(m_.flood_wait, now_);
          gate_open_ = std::max(gate_open_, now_ + m_.flood_wait);
        } else {
          completions.push_back({now_, m_.part_size});
          ctl_.on_part(m_.part_size, now_ - r.sent, now_);
        }
      } else {
        ctl_.advance(now_);
      }
      record();
    }
    now_ = end;
  }

  // Bytes per second answered in [from, to).
  double throughput(clock_type::time_point from, clock_type::time_point to) const {
    std::uint64_t bytes = 0;
    for (const auto& c : completions)
      if (c.at >= from && c.at < to) bytes += c.bytes;
    return static_cast<double>(bytes) / std::chrono::duration<double>(to - from).count();
  }
  std::size_t floods_between(clock_type::time_point from, clock_type::time_point to) const {
    return static_cast<std::size_t>(std::count_if(flood_times.begin(), flood_times.end(),
                                                  [&](auto t) { return t >= from && t < to; }));
  }

  const depth_controller& controller() const { return ctl_; }

  struct completion {
    clock_type::time_point at;
    std::uint64_t bytes;
  };
  struct target {
    clock_type::time_point at;
    int in_flight;
    int sessions;
    double pace = 0;
  };
  std::vector<completion> completions;
  std::vector<clock_type::time_point> flood_times;
  std::vector<target> targets{{t0, 0, 0}};

 private:
  struct request {
    clock_type::time_point done;
    clock_type::time_point sent;
    int session;
    bool flooded;
    std::uint64_t seq;
    bool operator>(const request& o) const { return done != o.done ? done > o.done : seq > o.seq; }
  };

  void fill() {
    paced_ = false;
    while (in_flight_ < ctl_.target_in_flight() && (m_.engine_cap == 0 || in_flight_ < m_.engine_cap)) {
      // The engine's pacing: requests at least 1/rate apart, no burst saved up while idle.
      if (const double rate = ctl_.target_request_rate(); rate > 0) {
        if (now_ < next_send_) {
          paced_ = true;
          break;
        }
        next_send_ = std::max(next_send_, now_ - seconds_f(1 / rate)) + seconds_f(1 / rate);
      }
      const auto sessions = static_cast<std::size_t>(ctl_.target_sessions());
      const auto least = std::min_element(load_.begin(), load_.begin() + static_cast<long>(sessions));
      const auto k = static_cast<std::size_t>(least - load_.begin());
      const clock_type::time_point arrival = now_ + m_.rtt / 2;
      request r{arrival + m_.rtt / 2, now_, static_cast<int>(k), false, seq_++};
      if (m_.account_rate > 0) {
        tokens_ = std::min(m_.account_burst,
                           tokens_ + m_.account_rate * std::chrono::duration<double>(arrival - last_arrival_).count());
        last_arrival_ = arrival;
        r.flooded = tokens_ < 1;
        if (!r.flooded) tokens_ -= 1;
      }
      if (!r.flooded) {
        auto& free_at = link_free_[m_.shared_link ? 0 : k];
        free_at = std::max(arrival, free_at) + seconds_f(m_.part_size / m_.session_bandwidth);
        r.done = free_at + m_.rtt / 2;
      }
      pending_.push(r);
      ++load_[k];
      ++in_flight_;
    }
  }

  void record() {
    const target& last = targets.back();
    if (last.in_flight != ctl_.target_in_flight() || last.sessions != ctl_.target_sessions() || last.pace != ctl_.target_request_rate())
      targets.push_back({now_, ctl_.target_in_flight(), ctl_.target_sessions(), ctl_.target_request_rate()});
  }

  link_model m_;
  depth_controller ctl_;
  clock_type::time_point now_ = t0;
  clock_type::time_point gate_open_ = t0;
  clock_type::time_point last_arrival_ = t0;
  double tokens_;
  std::priority_queue<request, std::vector<request>, std::greater<>> pending_;
  std::array<int, max_download_sessions_limit> load_{};
  std::array<clock_type::time_point, max_download_sessions_limit> link_free_{};
  int in_flight_ = 0;
  std::uint64_t seq_ = 0;
  clock_type::time_point next_send_ = t0;
  bool paced_ = false;
};

// The fastest the account limit allows: 30 requests/s of 512 KiB, about 15.7 MB/s.
constexpr double limited_optimum = 30.0 * part_512k;

}  // namespace

TEST_CASE("starts where the official clients sit: 2 MiB in flight on one connection", "[download][depth]") {
  CHECK(depth_controller(512 * 1024, t0).target_in_flight() == 4);
  CHECK(depth_controller(512 * 1024, t0).target_sessions() == 1);
  CHECK(depth_controller(1024 * 1024, t0).target_in_flight() == 2);
  CHECK(depth_controller(128 * 1024, t0).target_in_flight() == 16);
  CHECK(depth_controller(4 * 1024, t0).target_in_flight() == 16);  // max_in_flight_per_session
  CHECK(depth_controller(0, t0).target_in_flight() == 16);
  CHECK(depth_controller(512 * 1024, t0).target_bytes_in_flight() == 2u << 20);
  CHECK(depth_controller(512 * 1024, t0).current_phase() == phase::starting);
  depth_options one_step;
  one_step.slow_start = false;
  CHECK(depth_controller(512 * 1024, t0, one_step).current_phase() == phase::measuring);
}

TEST_CASE("under an account limit it settles near the limit and stops flooding", "[download][depth]") {
  simulator sim(link_model{});
  sim.run_until(t0 + 240s);
  const auto& ctl = sim.controller();
  INFO("floods " << sim.flood_times.size() << ", targets " << ctl.target_in_flight() << "/" << ctl.target_sessions()
                 << ", last minute " << sim.throughput(t0 + 180s, t0 + 240s) / 1e6 << " MB/s");
  CHECK(sim.flood_times.size() > 0);  // it found the limit...
  CHECK(sim.floods_between(t0 + 90s, t0 + 240s) == 0);  // ...and stays below it
  CHECK(sim.throughput(t0 + 180s, t0 + 240s) >= 0.85 * limited_optimum);
  for (const auto& t : sim.targets) {
    CHECK(t.sessions <= 8);
    CHECK(t.in_flight <= ctl.options().max_in_flight);
  }
}

TEST_CASE("a request-rate limit is met by pacing, within seconds, at over 90% of it", "[download][depth]") {
  // The emulator's --rate-per-connection 5000000 --flood-rps 30 with 1 MiB parts: 8 connections
  // could carry 40 MB/s, the account may ask for 30 parts a second (31.5 MB/s).
  link_model m;
  m.part_size = 1024 * 1024;
  m.rtt = 20ms;
  m.flood_wait = 1s;
  m.account_burst = 30;
  simulator sim(m);
  sim.run_until(t0 + 120s);
  const auto& ctl = sim.controller();
  const double optimum = m.account_rate * m.part_size;
  INFO("floods " << sim.flood_times.size() << ", pace " << ctl.target_request_rate() << "/s, targets "
                 << ctl.target_in_flight() << "/" << ctl.target_sessions() << ", 60-120 s "
                 << sim.throughput(t0 + 60s, t0 + 120s) / 1e6 << " MB/s");
  CHECK(ctl.target_request_rate() > 0.85 * m.account_rate);
  CHECK(ctl.target_request_rate() < m.account_rate);
  // The bucket's 30 saved requests hide a pace slightly too high for a while: a few floods, the
  // last of them well inside the first minute.
  CHECK(sim.floods_between(t0 + 60s, t0 + 120s) == 0);
  CHECK(sim.throughput(t0 + 60s, t0 + 120s) >= 0.9 * optimum);
  CHECK(sim.throughput(t0, t0 + 120s) >= 0.85 * optimum);
  // Slow start: all 8 connections within ~5 s of the first request.
  const auto all_open = std::find_if(sim.targets.begin(), sim.targets.end(), [](const auto& t) { return t.sessions == 8; });
  REQUIRE(all_open != sim.targets.end());
  CHECK(all_open->at - t0 <= 6s);
}

TEST_CASE("without an account limit it opens every connection it may", "[download][depth]") {
  link_model m;
  m.account_rate = 0;
  simulator sim(m);
  sim.run_until(t0 + 300s);
  const auto& ctl = sim.controller();
  INFO("targets " << ctl.target_in_flight() << "/" << ctl.target_sessions());
  CHECK(sim.flood_times.empty());
  CHECK(ctl.target_sessions() == 8);
  // Slow start keeps the first connection's 2 MiB on each new one (4 parts of 512 KiB), not the
  // maximum of 16 each.
  CHECK(ctl.target_in_flight() <= 32);
  // Doubling: 8 connections in a few seconds, not one per probe.
  const auto all_open = std::find_if(sim.targets.begin(), sim.targets.end(), [](const auto& t) { return t.sessions == 8; });
  REQUIRE(all_open != sim.targets.end());
  CHECK(all_open->at - t0 <= 8s);
  CHECK(sim.throughput(t0 + 240s, t0 + 300s) >= 0.9 * 8 * m.session_bandwidth);
}

TEST_CASE("slow start doubles per round trip, not per second", "[download][depth]") {
  // 100 ms away, 40 MB/s per connection, no account limit: 4 parts in flight carry 21 MB/s, the
  // doubled targets up to 32 parts over 8 connections 168 MB/s. Timed by the clock (a doubling
  // every 1.5 s, as before), 8 connections would take ~5 s; by the round trip, under 2 s.
  link_model m;
  m.account_rate = 0;
  m.rtt = 100ms;
  m.session_bandwidth = 40e6;
  simulator sim(m);
  sim.run_until(t0 + 20s);
  const auto all_open = std::find_if(sim.targets.begin(), sim.targets.end(), [](const auto& t) { return t.sessions == 8; });
  REQUIRE(all_open != sim.targets.end());
  INFO("8 connections after " << std::chrono::duration<double>(all_open->at - t0).count() << " s");
  CHECK(all_open->at - t0 <= 2s);
  CHECK(sim.throughput(t0, t0 + 3s) >= 0.6 * 32 * part_512k / 0.1);
  CHECK(sim.throughput(t0 + 10s, t0 + 20s) >= 0.8 * 32 * part_512k / 0.1);
}

TEST_CASE("slow start on capped connections doubles every two round trips, queueing included", "[download][depth]") {
  // The emulator's --rate-per-connection 5000000 --flood-rps 30 with 512 KiB parts, 20 ms away:
  // each connection's round trip is its queue (4 parts: ~0.4 s). One to settle and one to measure
  // per doubling: 4 connections in about a second, 8 in under two (4 round trips per doubling, as
  // before this test, took 1.6 and 3.3 s). The first window, sent all at once, comes back before
  // its queue has formed: the pipe check must not take that for a link that is not filled.
  link_model m;
  m.rtt = 20ms;
  m.account_rate = 30;
  simulator sim(m);
  sim.run_until(t0 + 6s);
  const auto at_least = [&](int sessions) {
    const auto it = std::find_if(sim.targets.begin(), sim.targets.end(), [&](const auto& t) { return t.sessions >= sessions; });
    return it == sim.targets.end() ? std::chrono::duration<double>(1e9) : std::chrono::duration<double>(it->at - t0);
  };
  INFO("4 connections after " << at_least(4).count() << " s, 8 after " << at_least(8).count() << " s");
  CHECK(at_least(4).count() <= 1.2);
  CHECK(at_least(8).count() <= 2.0);
}

TEST_CASE("connections that do not add bandwidth are not kept", "[download][depth]") {
  link_model m;
  m.account_rate = 0;
  m.shared_link = true;  // one 5 MB/s link under every connection
  simulator sim(m);
  sim.run_until(t0 + 300s);
  const auto& ctl = sim.controller();
  INFO("targets " << ctl.target_in_flight() << "/" << ctl.target_sessions() << ", changes " << sim.targets.size());
  CHECK(ctl.target_sessions() == 1);
  CHECK(sim.throughput(t0 + 240s, t0 + 300s) >= 0.95 * m.session_bandwidth);
  // Probes that do not pay back off (pauses doubling from 5 s to 60 s): a few dozen changes in
  // five minutes at most, not one per interval (that would be ~200).
  CHECK(sim.targets.size() < 30);
}

TEST_CASE("a target the engine does not fill is not raised", "[download][depth]") {
  link_model m;
  m.account_rate = 0;
  m.engine_cap = 2;
  simulator sim(m);
  sim.run_until(t0 + 120s);
  for (const auto& t : sim.targets) CHECK(t.in_flight <= 4);
  CHECK(sim.controller().pipe_requests() < 3);
}

TEST_CASE("the level that flooded is remembered, so floods come rarely", "[download][depth]") {
  simulator sim(link_model{});
  sim.run_until(t0 + 3600s);
  // Flood answers come in bursts (every request in flight at the time), and relearning a limit
  // may take two probes a few seconds apart: count episodes.
  std::vector<clock_type::time_point> episodes;
  clock_type::time_point last{};
  for (auto t : sim.flood_times) {
    if (episodes.empty() || t - last > 60s) episodes.push_back(t);
    last = t;
  }
  INFO("flood episodes " << episodes.size());
  CHECK(episodes.size() <= 4);
  // Each episode doubles the memory (300 s, 600 s, ...): they come further and further apart.
  for (std::size_t i = 1; i < episodes.size(); ++i) CHECK(episodes[i] - episodes[i - 1] >= 300s * (1 << i));
  CHECK(sim.throughput(t0 + 60s, t0 + 3600s) >= 0.85 * limited_optimum);
}

TEST_CASE("a flood lowers the depth at once and holds it", "[download][depth]") {
  depth_options o;
  o.initial_bytes_in_flight = 8 * part_512k;
  o.initial_sessions = 2;
  depth_controller ctl(part_512k, t0, o);
  REQUIRE(ctl.target_in_flight() == 8);
  auto t = t0;
  for (int i = 0; i < 10; ++i) ctl.on_part(part_512k, 200ms, t += 100ms);
  ctl.on_flood(3s, t);
  CHECK(ctl.floods() == 1);
  CHECK(ctl.target_in_flight() == 4);
  CHECK(ctl.target_sessions() == 2);
  CHECK(ctl.current_phase() == phase::holding);
  const auto wake = t + 3s + o.calm_period;
  CHECK(ctl.next_decision_at() == wake);
  // The rest of the burst was sent before the decrease: no further decrease, a longer hold.
  for (int i = 1; i <= 5; ++i) ctl.on_flood(3s, t + i * 50ms);
  CHECK(ctl.target_in_flight() == 4);
  CHECK(ctl.next_decision_at() == wake + 250ms);
  // Answers during the hold change nothing.
  for (auto at = t; at < wake; at += 100ms) ctl.on_part(part_512k, 200ms, at);
  CHECK(ctl.target_in_flight() == 4);
  CHECK(ctl.current_phase() == phase::holding);
  // A second flood later (the wait over, requests sent at the new depth) lowers again.
  ctl.on_flood(3s, wake + 1s);
  CHECK(ctl.target_in_flight() == 2);
  ctl.on_flood(3s, wake + 3s);
  CHECK(ctl.target_in_flight() == 1);
  CHECK(ctl.target_sessions() == 1);
  ctl.on_flood(3s, wake + 5s);
  CHECK(ctl.target_in_flight() == 1);  // min_in_flight
  // Flooding even at one request: no probe upward while that is remembered.
  auto at = wake + 5s;
  for (int i = 0; i < 20'000; ++i) ctl.on_part(part_512k, 100ms, at += 100ms);
  CHECK(ctl.target_in_flight() == 1);
}

TEST_CASE("after the hold it measures, then probes upward one request at a time", "[download][depth]") {
  depth_controller ctl(part_512k, t0);
  auto t = t0;
  // Fewer parts than in flight: slow start has not measured a full window, so no doubling yet.
  for (int i = 0; i < 3; ++i) ctl.on_part(part_512k, 400ms, t += 100ms);
  ctl.on_flood(2s, t);
  REQUIRE(ctl.target_in_flight() == 2);
  const auto wake = t + 2s + depth_options{}.calm_period;
  for (; t < wake; t += 100ms) ctl.on_part(part_512k, 200ms, t);
  CHECK(ctl.current_phase() == phase::holding);
  ctl.advance(wake);
  CHECK(ctl.current_phase() == phase::measuring);
  t = wake;
  while (ctl.target_in_flight() == 2 && t < wake + 10s) ctl.on_part(part_512k, 200ms, t += 100ms);
  CHECK(ctl.target_in_flight() == 3);  // below the level that flooded (4)
  CHECK(ctl.current_phase() == phase::probing_depth);
  CHECK(t - wake >= depth_options{}.settle_time + depth_options{}.measure_interval);
}

TEST_CASE("transient failures take one request off only when they pile up", "[download][depth]") {
  depth_controller ctl(part_512k, t0);
  auto t = t0 + 5s;
  ctl.on_transient_failure(t);
  ctl.on_transient_failure(t + 1s);
  CHECK(ctl.target_in_flight() == 4);
  ctl.on_transient_failure(t + 2s);
  CHECK(ctl.target_in_flight() == 3);
  // Spread over more than the window, they are background noise.
  for (int i = 1; i <= 10; ++i) ctl.on_transient_failure(t + std::chrono::seconds(2 + 11 * i));
  CHECK(ctl.target_in_flight() == 3);
}

TEST_CASE("nothing changes twice at one instant, and time never runs back", "[download][depth]") {
  depth_controller ctl(part_512k, t0);
  auto t = t0;
  for (int i = 0; i < 100; ++i) ctl.on_part(part_512k, 400ms, t += 100ms);
  const int n = ctl.target_in_flight();
  for (int i = 0; i < 1000; ++i) ctl.advance(t);
  CHECK(ctl.target_in_flight() == n);
  ctl.on_part(part_512k, 400ms, t - 1h);  // taken as `t`
  ctl.advance(t0);
  CHECK(ctl.target_in_flight() == n);
}

TEST_CASE("nonsense options are clamped to something workable", "[download][depth]") {
  depth_options o;
  o.max_sessions = 1000;
  o.initial_sessions = -3;
  o.max_in_flight = 0;
  o.min_in_flight = 50;
  o.decrease_factor = 1.5;
  o.min_gain = std::nan("");
  o.rtt_smoothing = 0;
  o.measure_interval = -5s;
  o.ceiling_memory = std::chrono::milliseconds::max();
  depth_controller ctl(part_512k, t0, o);
  CHECK(ctl.options().max_sessions == max_download_sessions_limit);
  CHECK(ctl.options().initial_sessions == 1);
  CHECK(ctl.options().max_in_flight == 1);
  CHECK(ctl.options().min_in_flight == 1);
  CHECK(ctl.options().decrease_factor == 0.5);
  CHECK(ctl.options().min_gain == 0.25);
  CHECK(ctl.options().rtt_smoothing == 0.125);
  CHECK(ctl.options().measure_interval == 0ms);
  CHECK(ctl.options().ceiling_memory == 24h);
  CHECK(ctl.target_in_flight() == 1);
}

TEST_CASE("arbitrary event streams keep the targets within bounds", "[download][depth]") {
  std::mt19937_64 rng(20240611);
  int events = 0;
  for (int round = 0; round < 200; ++round) {
    depth_options o;
    o.max_sessions = 1 + static_cast<int>(rng() % 10);
    o.max_in_flight = 1 + static_cast<int>(rng() % 40);
    o.min_in_flight = 1 + static_cast<int>(rng() % 3);
    o.max_in_flight_per_session = 1 + static_cast<int>(rng() % 6);
    o.initial_sessions = 1 + static_cast<int>(rng() % 4);
    o.measure_interval = std::chrono::milliseconds(rng() % 3000);
    o.settle_time = std::chrono::milliseconds(rng() % 1000);
    o.calm_period = std::chrono::milliseconds(rng() % 5000);
    o.steady_probe_interval = std::chrono::milliseconds(rng() % 5000);
    o.min_gain = static_cast<double>(rng() % 100) / 100;
    o.min_pipe_fill = static_cast<double>(rng() % 100) / 100;
    depth_controller ctl(static_cast<std::uint32_t>(1 + rng() % (1 << 20)), t0, o);
    const auto& c = ctl.options();
    auto t = t0;
    auto last_rise = t0 - 1h;
    int n = ctl.target_in_flight();
    for (int i = 0; i < 2000; ++i) {
      t += std::chrono::milliseconds(rng() % 300);
      switch (rng() % 20) {
        case 0: ctl.on_flood(std::chrono::seconds(rng() % 10), t); break;
        case 1: ctl.on_transient_failure(t); break;
        case 2: ctl.advance(t); break;
        default: ctl.on_part(rng() % (1 << 20), std::chrono::milliseconds(rng() % 2000), t); break;
      }
      const int now_n = ctl.target_in_flight(), s = ctl.target_sessions();
      bool ok = now_n >= c.min_in_flight && now_n <= c.max_in_flight && s >= 1 &&
                s <= std::min(now_n, c.max_sessions) &&
                now_n <= std::max(c.min_in_flight, s * c.max_in_flight_per_session);
      const double pace = ctl.target_request_rate();  // none, or within [0.1, 1e6] requests/s
      ok = ok && (pace == 0 || (pace >= 0.1 && pace <= 1e6));
      if (now_n > n) {
        // Never a hot loop upward (slow start may rise sooner than min_change_interval, but
        // never more often than its own shortest measurement).
        ok = ok && t - last_rise >= std::min<clock_type::duration>(c.min_change_interval, c.start_measure_interval);
        last_rise = t;
      }
      n = now_n;
      if (!ok) {  // one assertion per failure rather than a million passing ones
        INFO("round " << round << ", event " << i << ": " << now_n << " in flight over " << s << " sessions");
        REQUIRE(ok);
      }
      ++events;
    }
  }
  CHECK(events == 200 * 2000);
}

// The runtime under threads, its own binary so the ThreadSanitizer pass of CI builds only this
// file on top of the library (tests/client/CMakeLists.txt): 10,000 calls cancelled at random
// moments on a 4-thread io_context, and calls started and cancelled from several strands, each
// completing exactly once.
#include <catch2/catch.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_future.hpp>

#include <atomic>
#include <functional>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "mtproto/api/Config.h"
#include "mtproto/api/NearestDc.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/fn/help/getNearestDc.h"
#include "mtproto/client/client.h"
#include "testdc_fixture.h"

using namespace mtproto;
using namespace mtproto::test;
using namespace std::chrono_literals;

TEST_CASE("async API: 10,000 calls cancelled at random moments on a 4-thread io_context", "[e2e][threads]") {
  constexpr int total = 10'000;
  constexpr int in_flight = 200;
  emulator dc;
  asio::io_context io(4);
  auto work = asio::make_work_guard(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { io.run(); });

  auto c = std::make_unique<client::client>(io.get_executor(), dc.client_options());
  // The key and the connection first, so that calls complete within the cancellation delays.
  REQUIRE(c->async_invoke(api::help::getNearestDc{}, asio::use_future).get().has_value());
  std::vector<std::atomic<int>> completions(total);
  std::atomic<int> launched{0}, done{0}, succeeded{0}, cancelled{0}, other{0};
  std::atomic<bool> stopping{false};

  // Each call lives on its own strand: the handler and the cancellation signal share it, as Asio
  // requires of a slot's owner. The signal fires after a random number of hops or microseconds,
  // so it lands before the call reaches the client, while it is queued or in flight, or after it
  // completed (a no-op).
  std::function<void()> launch = [&] {
    if (stopping.load()) return;
    const int i = launched.fetch_add(1);
    if (i >= total) return;
    std::minstd_rand rng(static_cast<std::uint32_t>(i) + 1);
    auto strand = asio::make_strand(io);
    auto signal = std::make_shared<asio::cancellation_signal>();
    asio::post(strand, [&, i, strand, signal, hops = rng() % 6, micros = rng() % 3000] {
      c->async_invoke(api::help::getNearestDc{},
                      asio::bind_cancellation_slot(
                          signal->slot(), asio::bind_executor(strand, [&, i, signal](client::call_result<api::NearestDc> r) {
                            completions[static_cast<std::size_t>(i)].fetch_add(1);
                            if (r) {
                              succeeded.fetch_add(1);
                            } else if (r.code() == client::client_errc::cancelled) {
                              cancelled.fetch_add(1);
                            } else {
                              other.fetch_add(1);
                            }
                            done.fetch_add(1);
                            launch();
                          })));
      if (i % 3 == 0) {
        auto step = std::make_shared<std::function<void(unsigned)>>();
        *step = [strand, signal, step](unsigned left) {
          if (left == 0) {
            signal->emit(asio::cancellation_type::terminal);
            *step = nullptr;  // break the cycle
            return;
          }
          asio::post(strand, [step, left] { (*step)(left - 1); });
        };
        (*step)(static_cast<unsigned>(hops));
      } else {
        // A third of the signals come late (2 s: the calls have completed by then). 100 ms was too
        // early under TSan at -O0 on a slow host beside other tests: every call was cancelled.
        const auto delay = std::chrono::microseconds(i % 3 == 1 ? micros : 2'000'000 + micros);
        auto timer = std::make_shared<asio::steady_timer>(strand, delay);
        timer->async_wait([timer, signal](const std::error_code&) { signal->emit(asio::cancellation_type::terminal); });
      }
    });
  };
  for (int i = 0; i < in_flight; ++i) launch();

  const auto deadline = std::chrono::steady_clock::now() + 300s;
  while (done.load() < total && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(10ms);
  stopping.store(true);
  c->shutdown();
  c.reset();
  work.reset();
  for (auto& t : threads) t.join();

  REQUIRE(done.load() == total);
  for (const auto& n : completions) REQUIRE(n.load() == 1);  // every handler exactly once
  CHECK(other.load() == 0);
  CHECK(succeeded.load() + cancelled.load() == total);
  // Both outcomes happen, so cancellations really raced completions.
  CHECK(cancelled.load() > 10);
  CHECK(succeeded.load() > 10);
}

TEST_CASE("threads: calls cancelled from other strands of a 4-thread io_context complete exactly once",
          "[e2e][threads]") {
  emulator dc;
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&] { io.run(); });
  {
    client::client c(io.get_executor(), dc.client_options());
    REQUIRE(c.async_invoke(api::help::getConfig{}, asio::use_future).get().has_value());

    constexpr int calls = 200;
    std::atomic<int> answered{0}, cancelled{0}, other{0}, completions{0};
    std::mt19937 rng(11);
    for (int i = 0; i < calls; ++i) {
      auto strand = asio::make_strand(io);
      auto signal = std::make_shared<asio::cancellation_signal>();
      const auto delay = std::chrono::microseconds(rng() % 4000);
      // Asio's rule: a signal is emitted on the executor that owns the operation's handler.
      asio::post(strand, [&, strand, signal, delay] {
        c.async_invoke(api::help::getConfig{},
                       asio::bind_cancellation_slot(
                           signal->slot(), asio::bind_executor(strand, [&, signal](client::call_result<api::Config> r) {
                             ++completions;
                             if (r)
                               ++answered;
                             else if (r.error().code == client::client_errc::cancelled)
                               ++cancelled;
                             else
                               ++other;
                           })));
        auto timer = std::make_shared<asio::steady_timer>(strand, delay);
        timer->async_wait([signal, timer](const asio::error_code&) { signal->emit(asio::cancellation_type::terminal); });
      });
    }
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (completions < calls && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
    std::this_thread::sleep_for(50ms);  // a second completion of any call would land here
    CHECK(completions == calls);
    CHECK(answered + cancelled == calls);
    CHECK(other == 0);
    c.shutdown();
  }
  work.reset();
  for (auto& t : threads) t.join();
}

// The client's async API against Asio's own adapters, and cancellation under threads: the
// completion signature adapter (as_error_code) with as_tuple, redirect_error and parallel_group,
// 10,000 calls cancelled at random moments on a 4-thread io_context (run under ASan in CI), and
// the login helpers with a future and a callback token.
#include <catch2/catch.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <atomic>
#include <future>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "mtproto/api/Config.h"
#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/api/NearestDc.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/fn/help/getNearestDc.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/api/User.h"
#include "mtproto/client/as_error_code.h"
#include "mtproto/client/auth.h"
#include "mtproto/client/client.h"
#include "testdc_fixture.h"

using namespace mtproto;
using namespace mtproto::test;
using namespace std::chrono_literals;

TEST_CASE("async API: as_error_code works with as_tuple, redirect_error and parallel_group", "[e2e]") {
  emulator dc;
  asio::io_context io;
  client::client c(io.get_executor(), dc.client_options());

  SECTION("as_tuple: (error_code, value)") {
    auto [ec, nearest] = run(io, [&]() -> asio::awaitable<std::tuple<std::error_code, api::NearestDc>> {
      co_return co_await c.async_invoke(api::help::getNearestDc{},
                                        client::as_error_code(asio::experimental::as_tuple(asio::use_awaitable)));
    }());
    CHECK_FALSE(ec);
    REQUIRE(nearest.get_if<api::nearestDc>());
    CHECK(nearest.get_if<api::nearestDc>()->this_dc > 0);
  }

  SECTION("redirect_error: the value returned, the error in a variable") {
    std::error_code ec;
    auto cfg = run(io, [&]() -> asio::awaitable<api::Config> {
      co_return co_await c.async_invoke(api::help::getConfig{},
                                        client::as_error_code(asio::redirect_error(asio::use_awaitable, ec)));
    }());
    CHECK_FALSE(ec);
    REQUIRE(cfg.get_if<api::config>());
    CHECK(cfg.get_if<api::config>()->dc_options.size() >= 2);

    // A refused call (no login for upload.getFile) arrives as the error code, value empty.
    api::upload::getFile fn;
    fn.location = api::inputDocumentFileLocation{.id = 1, .access_hash = 2};
    fn.limit = 4096;
    auto file = run(io, [&]() -> asio::awaitable<api::upload::File> {
      co_return co_await c.async_invoke(fn, client::as_error_code(asio::redirect_error(asio::use_awaitable, ec)));
    }());
    CHECK(ec == client::client_errc::rpc_failed);
    CHECK_FALSE(file.has_value());
  }

  SECTION("parallel_group: two deferred calls awaited together") {
    auto [order, e1, cfg, e2, nearest] = run(
        io,
        [&]() -> asio::awaitable<std::tuple<std::array<std::size_t, 2>, std::error_code, api::Config, std::error_code,
                                            api::NearestDc>> {
          co_return co_await asio::experimental::make_parallel_group(
              c.async_invoke(api::help::getConfig{}, client::as_error_code(asio::experimental::deferred)),
              c.async_invoke(api::help::getNearestDc{}, client::as_error_code(asio::experimental::deferred)))
              .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
        }());
    CHECK_FALSE(e1);
    CHECK_FALSE(e2);
    CHECK(cfg.get_if<api::config>());
    REQUIRE(nearest.get_if<api::nearestDc>());
    CHECK(nearest.get_if<api::nearestDc>()->this_dc > 0);
    CHECK(((order[0] == 0 && order[1] == 1) || (order[0] == 1 && order[1] == 0)));
  }
  c.shutdown();
  io.run_for(20ms);
}

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
        // A third of the signals come late (most calls have completed by then).
        const auto delay = std::chrono::microseconds(i % 3 == 1 ? micros : 100'000 + micros);
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

TEST_CASE("async API: the login helpers take completion tokens (future, callback)", "[e2e]") {
  emulator dc;
  asio::io_context io;
  auto work = asio::make_work_guard(io);
  std::thread runner([&] { io.run(); });

  client::client bot(io.get_executor(), dc.client_options());
  auto signed_in = client::async_sign_in_bot(bot, dc.catalog().bot_token(), asio::use_future).get();
  REQUIRE(signed_in.has_value());
  CHECK(signed_in->get_if<api::user>()->bot);
  CHECK(bot.login().authorized);

  client::client user(io.get_executor(), dc.client_options());
  auto sent = client::async_send_code(user, std::string(testdc::test_user_phone), asio::use_future).get();
  REQUIRE(sent.has_value());
  // A wrong code is a typed rpc error through the future.
  auto wrong = client::async_sign_in(user, *sent, "00000", asio::use_future).get();
  REQUIRE(wrong.rpc());
  CHECK(wrong.rpc()->type == "PHONE_CODE_INVALID");
  // A callback, on a strand of the caller's choosing, with temporaries as arguments.
  std::promise<client::call_result<api::User>> done;
  auto strand = asio::make_strand(io);
  client::async_sign_in(user, client::sent_code{*sent}, std::string(testdc::test_user_code),
                        asio::bind_executor(strand, [&](client::call_result<api::User> r) {
                          CHECK(strand.running_in_this_thread());
                          done.set_value(std::move(r));
                        }));
  auto result = done.get_future().get();
  REQUIRE(result.has_value());
  CHECK(result->get_if<api::user>()->id == dc.catalog().test_user().id);
  CHECK(user.login().authorized);

  bot.shutdown();
  user.shutdown();
  work.reset();
  runner.join();
}

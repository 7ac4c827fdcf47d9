// The client's async API against Asio's own adapters: the completion signature adapter
// (as_error_code) with as_tuple, redirect_error and parallel_group, and the login helpers with a
// future and a callback token (cancellation under threads: threads_test.cpp).
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

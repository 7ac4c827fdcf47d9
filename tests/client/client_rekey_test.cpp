// A DC that forgot our auth key answers transport error -404. A -404 is unauthenticated, so the
// client believes it only when a fresh connection says it again; it then creates a new key, and the
// calls that were in flight on the old key (the server could not decrypt them, so it never ran
// them) go out again on the new key instead of failing.
#include <catch2/catch.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <vector>

#include "mtproto/api/Config.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/client/auth.h"
#include "mtproto/client/client.h"
#include "testdc_fixture.h"

using namespace mtproto;
using namespace mtproto::test;

TEST_CASE("e2e: after -404 the calls in flight are re-sent on a new auth key", "[e2e]") {
  emulator dc;
  asio::io_context io;
  client::client c(io.get_executor(), dc.client_options());
  REQUIRE(run(io, client::sign_in_bot(c, dc.catalog().bot_token())).has_value());
  REQUIRE(c.stats().handshakes == 1);
  const auto server_handshakes = dc.handshakes();
  const auto connects = c.stats().connects;

  // The main connection stays open: the calls below go out on the forgotten key, together.
  dc.forget_keys();
  constexpr int calls = 3;
  auto answers = run(io, [&]() -> asio::awaitable<std::vector<client::call_result<api::Config>>> {
    std::vector<std::future<client::call_result<api::Config>>> pending;
    for (int i = 0; i < calls; ++i) pending.push_back(c.async_invoke(api::help::getConfig{}, asio::use_future));
    std::vector<client::call_result<api::Config>> out;
    asio::steady_timer t(io);
    for (auto& p : pending) {
      while (p.wait_for(0ms) != std::future_status::ready) {
        t.expires_after(5ms);
        co_await t.async_wait(asio::use_awaitable);
      }
      out.push_back(p.get());
    }
    co_return out;
  }());
  REQUIRE(answers.size() == calls);
  for (auto& a : answers) {
    INFO((a.has_value() ? std::string() : a.error().message()));
    REQUIRE(a.has_value());
    CHECK(a->get_if<api::config>()->this_dc == 2);
  }
  CHECK(c.stats().handshakes == 2);           // exactly one new key
  CHECK(dc.handshakes() == server_handshakes + 1);
  // One reconnect confirmed the -404, the next made the new key and carried all three calls.
  CHECK(c.stats().connects == connects + 2);
  // The login was on the forgotten key: the client no longer claims it.
  CHECK_FALSE(c.login().authorized);
  c.shutdown();
  io.run_for(20ms);
}

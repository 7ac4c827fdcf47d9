// Runs the C++ sample of README.md (extracted by CMakeLists.txt) against mtproto-testdc.
#include <catch2/catch.hpp>

#include <asio/use_awaitable.hpp>

#include "mtproto/api/Config.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/client/client.h"
#include "testdc_fixture.h"

using namespace std::chrono_literals;

TEST_CASE("README: the 'Using it' sample calls help.getConfig") {
  mtproto::test::emulator dc;
  asio::io_context io;
  const mtproto::client::client_options options = dc.client_options();
  bool got_config = false;
  auto sample = [&]() -> asio::awaitable<void> {
#include "readme_sample_1.inc"
    got_config = config.has_value() && config->get_if<mtproto::api::config>() != nullptr;
    c.shutdown();
  };
  mtproto::test::run(io, [&]() -> asio::awaitable<int> {
    co_await sample();
    co_return 0;
  }());
  CHECK(got_config);
}

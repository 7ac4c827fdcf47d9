// The client's lifetime: a client destroyed at any moment of connecting, the handshake, a call or
// a download leaves nothing that runs later against freed memory (ASan in CI; threads:
// threads_test.cpp).
#include <catch2/catch.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>

#include <atomic>
#include <memory>
#include <random>
#include <thread>
#include <vector>

#include "mtproto/api/Config.h"
#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/client/auth.h"
#include "mtproto/client/client.h"
#include "testdc_fixture.h"

using namespace mtproto;
using namespace mtproto::test;
using namespace std::chrono_literals;

namespace {

/// Reads a fixture file part by part until an error or the end. It holds the client only while
/// starting each call, so the test can destroy the client while a part is in flight.
asio::awaitable<void> read_parts(std::weak_ptr<client::client> weak, const testdc::published_file& f,
                                 std::shared_ptr<std::atomic<int>> parts, std::shared_ptr<std::atomic<bool>> finished) {
  api::upload::getFile fn;
  const auto& d = f.post.document;
  fn.location = api::inputDocumentFileLocation{d.id, d.access_hash, d.file_reference, ""};
  fn.limit = 64 * 1024;
  client::call_options o;
  o.dc = f.spec.dc;
  o.kind = client::session_kind::download;
  while (true) {
    auto c = weak.lock();
    if (!c) break;
    auto call = c->async_invoke(fn, o, asio::use_awaitable);
    c.reset();
    auto r = co_await std::move(call);
    if (!r) break;  // shut down (the client is gone)
    const auto* p = r->get_if<api::upload::file>();
    if (!p || p->bytes.empty()) break;
    ++*parts;
    fn.offset += static_cast<std::int64_t>(p->bytes.size());
  }
  *finished = true;
}

}  // namespace

TEST_CASE("lifetime: a client destroyed at any moment of connect, handshake, call or download", "[e2e][lifetime]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("big.bin:32M:2")};  // long enough to be cut half-way
  emulator dc(opts);
  const auto& f = dc.catalog().files().back();
  std::mt19937 rng(7);
  int destroyed_mid_download = 0;
  for (int round = 0; round < 24; ++round) {
    asio::io_context io;
    auto c = std::make_shared<client::client>(io.get_executor(), dc.client_options());
    // Downloads need a login; early rounds are cut before one could finish anyway.
    if (round >= 12) REQUIRE(run(io, client::sign_in_bot(*c, dc.catalog().bot_token())).has_value());
    auto config_done = std::make_shared<std::atomic<bool>>(false);
    c->async_invoke(api::help::getConfig{}, [config_done](client::call_result<api::Config>) { *config_done = true; });
    auto parts = std::make_shared<std::atomic<int>>(0);
    auto finished = std::make_shared<std::atomic<bool>>(false);
    asio::co_spawn(io, read_parts(c, f, parts, finished), asio::detached);
    io.poll();  // both calls are started before the clock runs
    // Early rounds stop inside connect and the handshake, later ones after some parts arrived.
    if (round < 12) {
      io.run_for(std::chrono::milliseconds(round * 3));
    } else {
      const int want = 1 + static_cast<int>(rng() % 40);
      const auto deadline = std::chrono::steady_clock::now() + 20s;
      while (*parts < want && !*finished && std::chrono::steady_clock::now() < deadline) io.run_for(1ms);
    }
    if (*parts > 0 && !*finished) ++destroyed_mid_download;
    c.reset();
    // Whatever is still queued (socket completions, timers, posted handlers) runs now.
    io.run_for(200ms);
    CHECK(*config_done);
    CHECK(*finished);
  }
  CHECK(destroyed_mid_download > 0);  // the test did reach the download phase
}

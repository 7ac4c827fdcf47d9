// The blocking façade end to end against mtproto-testdc: bot login, help.getConfig, a download
// (FILE_MIGRATE followed through export/import) checked by SHA-256, typed exceptions, calls from
// several threads, and a shutdown that releases a caller blocked on an unreachable DC.
#include <catch2/catch.hpp>

#include <asio/post.hpp>

#include <future>
#include <thread>
#include <vector>

#include "mtproto/api/Config.h"
#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/User.h"
#include "mtproto/api/contacts/ResolvedPeer.h"
#include "mtproto/api/fn/contacts/resolveUsername.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/client/blocking_client.h"
#include "mtproto/crypto/sha.h"
#include "testdc_fixture.h"

using namespace mtproto;
using namespace mtproto::test;

namespace {

constexpr std::int32_t part = 256 * 1024;

api::upload::getFile get_file_of(const testdc::published_file& f) {
  api::upload::getFile fn;
  const auto& d = f.post.document;
  fn.location = api::inputDocumentFileLocation{d.id, d.access_hash, d.file_reference, ""};
  fn.limit = part;
  return fn;
}

/// A sequential download on DC `dc` with blocking calls; returns the SHA-256 in hex.
std::string download(client::blocking_client& c, const testdc::published_file& f, int dc, std::int64_t& bytes) {
  auto fn = get_file_of(f);
  crypto::sha256_hasher hash;
  client::call_options o;
  o.dc = dc;
  o.kind = client::session_kind::download;
  bytes = 0;
  while (true) {
    fn.offset = bytes;
    auto answer = c.invoke(fn, o);
    const auto* p = answer.get_if<api::upload::file>();
    REQUIRE(p);
    hash.update(p->bytes);
    bytes += static_cast<std::int64_t>(p->bytes.size());
    if (p->bytes.size() < static_cast<std::size_t>(part)) break;
  }
  std::string hex;
  for (auto b : hash.finish()) hex += fmt::format("{:02x}", b);
  return hex;
}

}  // namespace

TEST_CASE("blocking_client: bot login, getConfig, downloads checked by SHA-256, typed errors", "[e2e]") {
  emulator dc;
  client::blocking_client c(dc.client_options());

  auto user = c.sign_in_bot(dc.catalog().bot_token());
  REQUIRE(user.get_if<api::user>());
  CHECK(user.get_if<api::user>()->bot);
  CHECK(c.login().authorized);

  auto config = c.invoke(api::help::getConfig{});
  REQUIRE(config.get_if<api::config>());
  CHECK(config.get_if<api::config>()->dc_options.size() >= 2);

  const auto& on_dc2 = dc.catalog().files().back();
  REQUIRE(on_dc2.spec.dc == 2);
  std::int64_t bytes = 0;
  CHECK(download(c, on_dc2, 2, bytes) == sha_of(on_dc2));
  CHECK(bytes == on_dc2.spec.size);

  // A document on DC 1 asked on the home DC: a typed exception naming the DC, then the download
  // there (the façade's client exports and imports the bot's authorization on its own).
  const auto& on_dc1 = dc.catalog().files().front();
  REQUIRE(on_dc1.spec.dc == 1);
  try {
    c.invoke(get_file_of(on_dc1));
    FAIL("FILE_MIGRATE expected");
  } catch (const client::call_exception& e) {
    CHECK(e.code() == client::client_errc::rpc_failed);
    REQUIRE(e.error().is_rpc("FILE_MIGRATE"));
    CHECK(e.error().rpc->migrate_to_dc() == 1);
  }
  CHECK(download(c, on_dc1, 1, bytes) == sha_of(on_dc1));
  CHECK(bytes == on_dc1.spec.size);

  // try_invoke: the same error without an exception.
  api::contacts::resolveUsername missing;
  missing.username = "nobody_has_this_name";
  auto r = c.try_invoke(missing);
  REQUIRE_FALSE(r.has_value());
  REQUIRE(r.rpc());
  CHECK(r.rpc()->type == "USERNAME_NOT_OCCUPIED");

  // Several threads share the client.
  std::vector<std::future<std::int32_t>> threads;
  for (int i = 0; i < 4; ++i)
    threads.push_back(std::async(std::launch::async, [&] {
      return c.invoke(api::help::getConfig{}).get_if<api::config>()->this_dc;
    }));
  for (auto& t : threads) CHECK(t.get() == 2);

  // A blocking call from the client's own thread would deadlock: refused.
  std::promise<bool> refused;
  asio::post(c.async_client().get_executor(), [&] {
    try {
      c.try_invoke(api::help::getConfig{});
      refused.set_value(false);
    } catch (const std::logic_error&) {
      refused.set_value(true);
    }
  });
  CHECK(refused.get_future().get());

  c.shutdown();
  auto after = c.try_invoke(api::help::getConfig{});
  CHECK(after.code() == client::client_errc::shut_down);
  CHECK_THROWS_AS(c.sign_in_bot(dc.catalog().bot_token()), client::call_exception);
}

TEST_CASE("blocking_client: shutdown releases a caller blocked on an unreachable DC", "[e2e]") {
  emulator dc;
  auto o = dc.client_options();
  o.dc_table.set(3, "127.0.0.1", 1);  // nothing listens on port 1: the client keeps retrying
  client::backoff_policy patient;
  patient.initial_delay = std::chrono::milliseconds(50);
  patient.max_delay = std::chrono::milliseconds(100);
  patient.max_failures = 1000;
  patient.max_elapsed = std::chrono::minutes(5);
  o.reconnect = client::make_retry_policy(patient);
  client::blocking_client c(o);

  client::call_options to_dc3;
  to_dc3.dc = 3;
  auto blocked = std::async(std::launch::async, [&] { return c.try_invoke(api::help::getConfig{}, to_dc3); });
  CHECK(blocked.wait_for(300ms) == std::future_status::timeout);  // still retrying

  const auto started = std::chrono::steady_clock::now();
  c.shutdown();
  CHECK(std::chrono::steady_clock::now() - started < client::blocking_client::shutdown_grace);
  REQUIRE(blocked.wait_for(5s) == std::future_status::ready);
  CHECK(blocked.get().code() == client::client_errc::shut_down);
}

// The runtime end to end against mtproto-testdc running in-process on its own thread: every
// transport, bot and user (2FA) login, an MTProxy secret, getConfig, resolve, downloads checked by
// SHA-256, dropped connections, bad_server_salt, clock skew, FLOOD_WAIT, FILE_MIGRATE, a vanishing server, session
// files across restarts, several download sessions on one key.
#include <catch2/catch.hpp>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "mtproto/api/Chat.h"
#include "mtproto/api/Config.h"
#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/User.h"
#include "mtproto/api/contacts/ResolvedPeer.h"
#include "mtproto/api/fn/contacts/resolveUsername.h"
#include "mtproto/api/DcOption.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/fn/updates/getState.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/api/updates/State.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/client/auth.h"
#include "mtproto/client/client.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/testdc/catalog.h"
#include "mtproto/testdc/rsa_keygen.h"
#include "mtproto/testdc/server.h"
#include "testdc_fixture.h"

using namespace mtproto;
using namespace mtproto::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct download_result {
  client::call_error error;
  std::string sha256;
  std::int64_t bytes = 0;
  int flood_waits = 0;
};

/// Plain sequential download of a fixture, following FILE_MIGRATE and sleeping through FLOOD_WAIT.
asio::awaitable<download_result> download(client::client& c, const testdc::published_file& f,
                                          client::session_kind kind = client::session_kind::download,
                                          std::int32_t part = 128 * 1024) {
  api::upload::getFile fn;
  const auto& d = f.post.document;
  fn.location = api::inputDocumentFileLocation{d.id, d.access_hash, d.file_reference, ""};
  fn.limit = part;
  crypto::sha256_hasher hash;
  download_result out;
  int dc = 2;  // start on the home DC: documents on DC 1 answer FILE_MIGRATE_1
  while (true) {
    fn.offset = out.bytes;
    client::call_options o;
    o.dc = dc;
    o.kind = kind;
    auto r = co_await c.async_invoke(fn, o, asio::use_awaitable);
    if (!r) {
      if (auto w = r.rpc() ? r.rpc()->wait() : std::nullopt) {
        ++out.flood_waits;
        asio::steady_timer t(co_await asio::this_coro::executor, *w);
        co_await t.async_wait(asio::use_awaitable);
        continue;
      }
      if (r.rpc() && r.rpc()->type == "FILE_MIGRATE") {
        dc = *r.rpc()->migrate_to_dc();
        continue;
      }
      out.error = r.error();
      co_return out;
    }
    const auto* p = r->get_if<api::upload::file>();
    if (!p) {
      out.error.code = make_error_code(client::client_errc::unexpected_answer);
      co_return out;
    }
    hash.update(p->bytes);
    out.bytes += static_cast<std::int64_t>(p->bytes.size());
    if (p->bytes.size() < static_cast<std::size_t>(part)) break;
  }
  auto digest = hash.finish();
  for (auto b : digest) out.sha256 += fmt::format("{:02x}", b);
  co_return out;
}

asio::awaitable<client::call_result<api::User>> bot_login(client::client& c, emulator& dc) {
  co_return co_await client::sign_in_bot(c, dc.catalog().bot_token());
}

fs::path temp_session(const char* name) {
  return fs::temp_directory_path() / fmt::format("mtproto-e2e-{}-{}.session", ::getpid(), name);
}

}  // namespace

TEST_CASE("e2e: every transport logs in a bot, calls help.getConfig and downloads with the right SHA-256",
          "[e2e]") {
  emulator dc;
  struct variant {
    const char* name;
    transport::protocol framing;
    bool obfuscated;
  };
  for (auto v : {variant{"abridged", transport::protocol::abridged, false},
                 variant{"intermediate", transport::protocol::intermediate, false},
                 variant{"padded intermediate", transport::protocol::padded_intermediate, false},
                 variant{"full", transport::protocol::full, false},
                 variant{"obfuscated abridged", transport::protocol::abridged, true},
                 variant{"obfuscated intermediate", transport::protocol::intermediate, true},
                 variant{"obfuscated padded intermediate", transport::protocol::padded_intermediate, true}}) {
    INFO(v.name);
    asio::io_context io;
    auto o = dc.client_options();
    o.transport.framing = v.framing;
    o.transport.obfuscated = v.obfuscated;
    if (std::getenv("E2E_DEBUG")) o.log = client::logger(client::stderr_sink(), client::log_level::debug);
    client::client c(io.get_executor(), o);
    auto user = run(io, bot_login(c, dc));
    INFO((user.has_value() ? std::string() : user.error().message()));
    REQUIRE(user.has_value());
    CHECK(user->get_if<api::user>()->bot);
    CHECK(c.login().authorized);

    auto cfg = run(io, [&]() -> asio::awaitable<client::call_result<api::Config>> {
      co_return co_await c.async_invoke(api::help::getConfig{}, asio::use_awaitable);
    }());
    REQUIRE(cfg.has_value());
    CHECK(cfg->get_if<api::config>()->dc_options.size() >= 2);
    // initConnection announced the layer the API types were generated from, not a hand-kept number.
    CHECK(dc.last_announced_layer() == api::layer);

    for (const auto& f : dc.catalog().files()) {
      auto got = run(io, download(c, f));
      REQUIRE_FALSE(got.error.code);
      CHECK(got.bytes == f.spec.size);
      CHECK(got.sha256 == sha_of(f));
    }
    c.shutdown();
    io.run_for(20ms);
  }
}

TEST_CASE("e2e: resolve the fixture channel", "[e2e]") {
  emulator dc;
  asio::io_context io;
  client::client c(io.get_executor(), dc.client_options());
  REQUIRE(run(io, bot_login(c, dc)).has_value());
  api::contacts::resolveUsername fn;
  fn.username = dc.catalog().channel().username;
  auto r = run(io, [&]() -> asio::awaitable<client::call_result<api::contacts::ResolvedPeer>> {
    co_return co_await c.async_invoke(fn, asio::use_awaitable);
  }());
  REQUIRE(r.has_value());
  const auto* p = r->get_if<api::contacts::resolvedPeer>();
  REQUIRE(p);
  REQUIRE(p->chats.size() == 1);
  CHECK(p->chats[0].get_if<api::channel>()->id == dc.catalog().channel().id);
}

TEST_CASE("e2e: user login without 2FA, and with 2FA through the SRP check", "[e2e]") {
  for (std::string password : {std::string(), std::string("hunter2")}) {
    INFO("password: " << password);
    testdc::options opts;
    opts.user_password = password;
    emulator dc(opts);
    asio::io_context io;
    client::client c(io.get_executor(), dc.client_options());
    auto sent = run(io, client::send_code(c, std::string(testdc::test_user_phone)));
    REQUIRE(sent.has_value());

    auto wrong = run(io, client::sign_in(c, *sent, "00000"));
    REQUIRE_FALSE(wrong.has_value());
    REQUIRE(wrong.rpc());
    CHECK(wrong.rpc()->type == "PHONE_CODE_INVALID");

    auto user = run(io, client::sign_in(c, *sent, std::string(testdc::test_user_code)));
    if (!password.empty()) {
      REQUIRE_FALSE(user.has_value());
      CHECK(user.error().is_rpc(client::session_password_needed));
      CHECK(user.rpc()->code == 401);
      CHECK_FALSE(c.login().authorized);

      auto bad = run(io, client::check_password(c, password + "x"));
      REQUIRE_FALSE(bad.has_value());
      REQUIRE(bad.rpc());
      CHECK(bad.rpc()->type == "PASSWORD_HASH_INVALID");
      CHECK_FALSE(c.login().authorized);

      user = run(io, client::check_password(c, password));
    }
    INFO((user.has_value() ? std::string() : user.error().message()));
    REQUIRE(user.has_value());
    CHECK(user->get_if<api::user>()->id == dc.catalog().test_user().id);
    CHECK(c.login().authorized);
    CHECK_FALSE(c.login().is_bot);
    // The login is real: a download works on the account.
    auto got = run(io, download(c, dc.catalog().files().back()));
    REQUIRE_FALSE(got.error.code);
    CHECK(got.sha256 == sha_of(dc.catalog().files().back()));
  }
}

TEST_CASE("e2e: --proxy-secret: every listener is an MTProxy for plain and dd secrets", "[e2e]") {
  for (const char* hex : {"00112233445566778899aabbccddeeff", "dd0123456789abcdeffedcba9876543210"}) {
    INFO("secret " << hex);
    const auto secret = transport::proxy_secret::from_hex(hex);
    REQUIRE(secret);
    testdc::options opts;
    opts.proxy_secret = secret;
    emulator dc(opts);
    {
      // Every connection goes to DC 1's port; the obfuscated header's dc_id routes it, so the file
      // on DC 2 is reached through FILE_MIGRATE and auth.export/importAuthorization as usual.
      asio::io_context io;
      auto o = dc.client_options();
      o.transport.via_proxy = client::transport_settings::proxy{dc.endpoints().front().host, dc.endpoints().front().port, *secret};
      client::client c(io.get_executor(), o);
      auto user = run(io, bot_login(c, dc));
      INFO((user.has_value() ? std::string() : user.error().message()));
      REQUIRE(user.has_value());
      for (const auto& f : dc.catalog().files()) {
        auto got = run(io, download(c, f));
        REQUIRE_FALSE(got.error.code);
        CHECK(got.bytes == f.spec.size);
        CHECK(got.sha256 == sha_of(f));
      }
      c.shutdown();
      io.run_for(20ms);
    }
    {
      // The secret as a per-address dcOption secret works the same without any proxy setting.
      asio::io_context io;
      auto o = dc.client_options();
      for (const auto& e : dc.endpoints()) {
        client::dc_endpoint with_secret;
        with_secret.host = e.host;
        with_secret.port = e.port;
        with_secret.secret = secret;
        o.dc_table.clear(e.id);
        o.dc_table.add(e.id, with_secret);
      }
      client::client c(io.get_executor(), o);
      REQUIRE(run(io, bot_login(c, dc)).has_value());
      auto got = run(io, download(c, dc.catalog().files().front()));
      REQUIRE_FALSE(got.error.code);
      CHECK(got.sha256 == sha_of(dc.catalog().files().front()));
      c.shutdown();
      io.run_for(20ms);
    }
    for (bool obfuscated : {false, true}) {
      // Without the secret (plain or obfuscated2 with no secret) nothing gets through.
      INFO("obfuscated " << obfuscated);
      asio::io_context io;
      auto o = dc.client_options();
      o.transport.obfuscated = obfuscated;
      o.call_timeout = 3s;
      client::client c(io.get_executor(), o);
      auto r = run(io, bot_login(c, dc));
      CHECK_FALSE(r.has_value());
      c.shutdown();
      io.run_for(20ms);
    }
  }
}

TEST_CASE("e2e: --drop-every: requests are resent after reconnects and the file still matches", "[e2e]") {
  testdc::options opts;
  opts.faults.drop_every = 3;
  emulator dc(opts);
  asio::io_context io;
  client::client c(io.get_executor(), dc.client_options());
  REQUIRE(run(io, bot_login(c, dc)).has_value());
  for (const auto& f : dc.catalog().files()) {
    auto got = run(io, download(c, f, client::session_kind::main, 64 * 1024));
    REQUIRE_FALSE(got.error.code);
    CHECK(got.sha256 == sha_of(f));
  }
  CHECK(c.stats().connects > 3);
}

TEST_CASE("e2e: client clock skewed by an hour either way", "[e2e]") {
  for (auto skew : {1h, -1h}) {
    emulator dc;
    asio::io_context io;
    auto o = dc.client_options();
    o.clock = [skew] { return core::clock::now() + skew; };
    client::client c(io.get_executor(), o);
    REQUIRE(run(io, bot_login(c, dc)).has_value());
    auto got = run(io, download(c, dc.catalog().files().back()));
    REQUIRE_FALSE(got.error.code);
    CHECK(got.sha256 == sha_of(dc.catalog().files().back()));
  }
}

TEST_CASE("e2e: FLOOD_WAIT is a typed error with seconds; FILE_MIGRATE names the DC", "[e2e]") {
  testdc::options opts;
  opts.faults.flood_every = 2;
  opts.faults.flood_seconds = 1;
  emulator dc(opts);
  asio::io_context io;
  auto o = dc.client_options();
  o.flood_sleep_limit = std::chrono::seconds(0);  // every wait comes back to the caller
  client::client c(io.get_executor(), o);
  REQUIRE(run(io, bot_login(c, dc)).has_value());

  const auto& on_dc1 = dc.catalog().files().front();
  REQUIRE(on_dc1.spec.dc == 1);
  api::upload::getFile fn;
  fn.location = api::inputDocumentFileLocation{on_dc1.post.document.id, on_dc1.post.document.access_hash,
                                               on_dc1.post.document.file_reference, ""};
  fn.limit = 512 * 1024;
  auto migrate = run(io, [&]() -> asio::awaitable<client::call_result<api::upload::File>> {
    co_return co_await c.async_invoke(fn, asio::use_awaitable);  // home DC 2
  }());
  REQUIRE(migrate.rpc());
  CHECK(migrate.rpc()->type == "FILE_MIGRATE");
  CHECK(migrate.rpc()->migrate_to_dc() == 1);

  auto got = run(io, download(c, on_dc1));
  REQUIRE_FALSE(got.error.code);
  CHECK(got.sha256 == sha_of(on_dc1));
  CHECK(got.flood_waits > 0);
  CHECK(c.stats().flood_waits >= static_cast<std::uint64_t>(got.flood_waits));
}

TEST_CASE("e2e: short FLOOD_WAITs are slept through, the DC paused meanwhile; long ones come back at once", "[e2e]") {
  testdc::options opts;
  opts.faults.flood_every = 3;
  opts.faults.flood_seconds = 2;
  const auto log_path = std::filesystem::temp_directory_path() / ("mtproto-flood-sleep-" + std::to_string(::getpid()));
  opts.request_log = log_path.string();
  emulator dc(opts);
  asio::io_context io;
  auto o = dc.client_options();
  o.flood_sleep_limit = std::chrono::seconds(5);
  client::client c(io.get_executor(), o);
  REQUIRE(run(io, bot_login(c, dc)).has_value());
  const auto& f = dc.catalog().files().front();
  api::upload::getFile fn;
  fn.location = api::inputDocumentFileLocation{f.post.document.id, f.post.document.access_hash,
                                               f.post.document.file_reference, ""};
  fn.limit = 4096;
  client::call_options on_dc;
  on_dc.dc = f.spec.dc;
  auto call = [&]() -> asio::awaitable<bool> {
    auto r = co_await c.async_invoke(fn, on_dc, asio::use_awaitable);
    co_return r.has_value();
  };
  // Two calls pass; the third is refused (every third getFile is) and sent again after the wait.
  // A call started half a second into that wait is held until it is over, not sent.
  REQUIRE(run(io, call()));
  REQUIRE(run(io, call()));
  const auto started = std::chrono::steady_clock::now();
  // A named lambda: a coroutine lambda's captures live in the lambda object, not the frame.
  auto later_call = [&]() -> asio::awaitable<std::chrono::steady_clock::duration> {
    asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(500));
    co_await t.async_wait(asio::use_awaitable);
    const auto from = std::chrono::steady_clock::now();
    const bool ok = co_await call();
    co_return ok ? std::chrono::steady_clock::now() - from : std::chrono::steady_clock::duration::zero();
  };
  auto refused = asio::co_spawn(io, call(), asio::use_future);
  auto held_took = asio::co_spawn(io, later_call(), asio::use_future);
  io.restart();
  while (refused.wait_for(std::chrono::seconds(0)) != std::future_status::ready ||
         held_took.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
    io.run_one_for(std::chrono::milliseconds(50));
  CHECK(refused.get());
  const auto held = held_took.get();
  CHECK(std::chrono::steady_clock::now() - started >= std::chrono::seconds(2));  // the wait was honoured
  CHECK(held >= std::chrono::milliseconds(1400));  // waited for the rest of the pause
  CHECK(c.stats().flood_waits == 1);  // the held call was never refused
  CHECK(c.stats().flood_sleeps == 2);
  // From the DC's side: nothing of this account arrived inside a wait it was told.
  {
    std::ifstream in(log_path);
    std::string line;
    std::getline(in, line);
    std::vector<std::pair<std::int64_t, std::string>> seen;  // arrival, answer
    std::int64_t arrived, account, sent;
    int dc_id;
    std::string method, answer;
    while (in >> arrived >> account >> dc_id >> method >> sent >> answer)
      if (dc_id == f.spec.dc) seen.emplace_back(arrived, answer);
    int floods = 0;
    for (const auto& [t, a] : seen) {
      if (!a.starts_with("FLOOD_WAIT_")) continue;
      ++floods;
      for (const auto& [u, b] : seen) {
        INFO("request at " << u << " inside the wait told at " << t);
        CHECK_FALSE((u > t + 300 && u < t + 2000));
      }
    }
    CHECK(floods >= 1);
  }
  std::filesystem::remove(log_path);

  // A wait above the limit is the caller's: it comes back at once, typed.
  o.flood_sleep_limit = std::chrono::seconds(1);
  client::client strict(io.get_executor(), o);
  REQUIRE(run(io, bot_login(strict, dc)).has_value());
  const auto t0 = std::chrono::steady_clock::now();
  bool flooded = false;
  for (int i = 0; i < 3 && !flooded; ++i) {
    auto r = run(io, [&]() -> asio::awaitable<client::call_result<api::upload::File>> {
      co_return co_await strict.async_invoke(fn, on_dc, asio::use_awaitable);
    }());
    flooded = r.rpc() && r.rpc()->wait() == std::chrono::seconds(2);
  }
  CHECK(flooded);
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
  strict.shutdown();
  c.shutdown();
}

TEST_CASE("e2e: a server that disappears fails calls with a typed error, no hang", "[e2e]") {
  auto dc = std::make_unique<emulator>();
  asio::io_context io;
  auto o = dc->client_options();
  client::client c(io.get_executor(), o);
  REQUIRE(run(io, bot_login(c, *dc)).has_value());
  dc->stop();
  auto started = std::chrono::steady_clock::now();
  auto r = run(io, [&]() -> asio::awaitable<client::call_result<api::Config>> {
    co_return co_await c.async_invoke(api::help::getConfig{}, asio::use_awaitable);
  }());
  REQUIRE_FALSE(r.has_value());
  CHECK((r.code() == client::client_errc::connection_lost || r.code() == client::client_errc::connect_failed));
  CHECK(std::chrono::steady_clock::now() - started < 15s);
}

TEST_CASE("e2e: the session file survives a restart without a new handshake; bad salt is recovered", "[e2e]") {
  emulator dc;
  auto path = temp_session("restart");
  fs::remove(path);
  {
    asio::io_context io;
    auto o = dc.client_options();
    o.store = std::make_shared<client::file_session_store>(path);
    client::client c(io.get_executor(), o);
    REQUIRE(run(io, bot_login(c, dc)).has_value());
    CHECK(c.stats().handshakes == 1);
    c.shutdown();
    io.run_for(20ms);
  }
  const auto handshakes_before = dc.handshakes();
  // Spoil the stored salt: the server answers bad_server_salt and the session resends.
  {
    client::file_session_store store(path);
    client::stored_session s;
    REQUIRE_FALSE(store.load(s));
    REQUIRE(s.dcs.count(2));
    s.dcs[2].salt ^= 0x5a5a5a5a;
    REQUIRE_FALSE(store.save(s));
  }
  {
    asio::io_context io;
    auto o = dc.client_options();
    o.store = std::make_shared<client::file_session_store>(path);
    client::client c(io.get_executor(), o);
    CHECK(c.login().authorized);
    auto got = run(io, download(c, dc.catalog().files().back(), client::session_kind::main));
    REQUIRE_FALSE(got.error.code);
    CHECK(got.sha256 == sha_of(dc.catalog().files().back()));
    CHECK(c.stats().handshakes == 0);
    c.shutdown();
    io.run_for(20ms);
  }
  CHECK(dc.handshakes() == handshakes_before);

  // Truncated: refused with a clear error, never reused or overwritten.
  fs::resize_file(path, fs::file_size(path) / 2);
  const auto size = fs::file_size(path);
  {
    asio::io_context io;
    auto o = dc.client_options();
    o.store = std::make_shared<client::file_session_store>(path);
    client::client c(io.get_executor(), o);
    CHECK(c.load_error() == client::store_errc::truncated);
    auto r = run(io, bot_login(c, dc));
    CHECK(r.code() == client::store_errc::truncated);
  }
  CHECK(fs::file_size(path) == size);
  fs::remove(path);
}

TEST_CASE("e2e: several download sessions to one DC share one auth key and carry requests concurrently",
          "[e2e]") {
  emulator dc;
  asio::io_context io;
  auto o = dc.client_options();
  o.max_download_sessions = 3;
  o.download_session_depth = 1;
  client::client c(io.get_executor(), o);
  REQUIRE(run(io, bot_login(c, dc)).has_value());
  const auto& f = dc.catalog().files().back();  // on DC 2, the home DC
  REQUIRE(f.spec.dc == 2);
  const auto handshakes_before = c.stats().handshakes;
  auto all = run(io, [&]() -> asio::awaitable<std::vector<download_result>> {
    std::vector<std::future<download_result>> futures;
    for (int i = 0; i < 6; ++i) futures.push_back(asio::co_spawn(io, download(c, f), asio::use_future));
    std::vector<download_result> out;
    asio::steady_timer t(io);
    for (auto& fu : futures) {
      while (fu.wait_for(0ms) != std::future_status::ready) {
        t.expires_after(5ms);
        co_await t.async_wait(asio::use_awaitable);
      }
      out.push_back(fu.get());
    }
    co_return out;
  }());
  for (auto& r : all) {
    REQUIRE_FALSE(r.error.code);
    CHECK(r.sha256 == sha_of(f));
  }
  const auto s = c.stats();
  CHECK(s.sessions_per_dc.at(2) == 1 + 3);  // main + three download sessions
  CHECK(s.handshakes == handshakes_before);  // the download sessions reused the main session's key
}

TEST_CASE("e2e: a DC whose first address refuses connections is reached through the next one", "[e2e]") {
  testdc::options opts;
  opts.faults.refusing_address = true;
  emulator dc(opts);
  asio::io_context io;
  auto o = dc.client_options();
  // The list the client was given puts the dead address first, as help.getConfig does.
  REQUIRE(o.dc_table.endpoints(2).size() == 2);
  REQUIRE(o.dc_table.endpoints(2).front().port != dc.endpoints().at(1).port);
  o.max_download_sessions = 2;
  client::client c(io.get_executor(), o);
  REQUIRE(run(io, bot_login(c, dc)).has_value());
  const auto& f = dc.catalog().files().back();
  auto r = run(io, download(c, f));  // over the download sessions, new connections of their own
  REQUIRE_FALSE(r.error.code);
  CHECK(r.sha256 == sha_of(f));
  auto config = run(io, [&]() -> asio::awaitable<client::call_result<api::Config>> {
    co_return co_await c.async_invoke(api::help::getConfig{}, asio::use_awaitable);
  }());
  REQUIRE(config.has_value());
  // The server publishes the refusing address too; the client got through all the same.
  const auto& options = config->get_if<api::config>()->dc_options;
  CHECK(std::count_if(options.begin(), options.end(), [](const auto& d) { return d.template get_if<api::dcOption>()->id == 2; }) == 2);
}

TEST_CASE("e2e: new keys and logins are written at once; salt changes of new sessions are coalesced", "[e2e]") {
  struct counting_store final : client::session_store {
    client::memory_session_store inner;
    std::atomic<int> saves{0};
    std::error_code load(client::stored_session& out) override { return inner.load(out); }
    std::error_code save(const client::stored_session& state) override {
      ++saves;
      return inner.save(state);
    }
  };
  emulator dc;
  asio::io_context io;
  auto o = dc.client_options();
  o.max_download_sessions = 3;
  o.download_session_depth = 1;
  o.session_save_delay = 1h;  // nothing deferred is written before shutdown
  auto store = std::make_shared<counting_store>();
  o.store = store;
  client::client c(io.get_executor(), o);
  REQUIRE(run(io, bot_login(c, dc)).has_value());
  const int after_login = store->saves;
  CHECK(after_login >= 2);  // the new key, then the login on it
  client::stored_session stored;
  REQUIRE_FALSE(store->inner.load(stored));
  REQUIRE(stored.dcs.at(2).authorized);

  // Three more sessions on the same key, each announcing its salt: no write (no fsync) for them.
  const auto& f = dc.catalog().files().back();
  auto all = run(io, [&]() -> asio::awaitable<std::vector<download_result>> {
    std::vector<std::future<download_result>> futures;
    for (int i = 0; i < 4; ++i) futures.push_back(asio::co_spawn(io, download(c, f), asio::use_future));
    std::vector<download_result> out;
    asio::steady_timer t(io);
    for (auto& fu : futures) {
      while (fu.wait_for(0ms) != std::future_status::ready) {
        t.expires_after(5ms);
        co_await t.async_wait(asio::use_awaitable);
      }
      out.push_back(fu.get());
    }
    co_return out;
  }());
  for (auto& r : all) REQUIRE_FALSE(r.error.code);
  CHECK(c.stats().sessions_per_dc.at(2) == 4);
  CHECK(store->saves == after_login);
  // Shutdown writes what was deferred.
  c.shutdown();
  io.run_for(50ms);
  CHECK(store->saves == after_login + 1);
}

TEST_CASE("e2e: updates the server pushes reach on_update, or are counted when nobody listens", "[e2e]") {
  testdc::options opts;
  opts.faults.push_updates = true;
  emulator dc(opts);
  for (bool listening : {true, false}) {
    INFO("listening: " << listening);
    asio::io_context io;
    auto o = dc.client_options();
    std::vector<std::uint32_t> seen;
    if (listening) {
      o.on_update = [&](int dc_id, std::span<const std::uint8_t> body) {
        CHECK(dc_id == 2);
        tl::reader r(body);
        seen.push_back(r.read_uint());
      };
    }
    client::client c(io.get_executor(), o);
    REQUIRE(run(io, bot_login(c, dc)).has_value());
    // The emulator answers updates.getState, then pushes updatesTooLong.
    auto state = run(io, [&]() -> asio::awaitable<client::call_result<api::updates::State>> {
      co_return co_await c.async_invoke(api::updates::getState{}, asio::use_awaitable);
    }());
    REQUIRE(state.has_value());
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (c.stats().updates_received == 0 && std::chrono::steady_clock::now() < deadline) io.run_for(5ms);
    CHECK(c.stats().updates_received == 1);
    if (listening) {
      CHECK(seen == std::vector<std::uint32_t>{0xe317af7e});  // updatesTooLong
      CHECK(c.stats().updates_unhandled == 0);
    } else {
      CHECK(c.stats().updates_unhandled == 1);
    }
    c.shutdown();
    io.run_for(20ms);
  }
}

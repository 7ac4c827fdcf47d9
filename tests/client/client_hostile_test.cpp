// The runtime against a hostile path or server: forged -404s (in the clear, and from an MTProxy
// that knows the secret) cost neither the key nor the login; a stream of garbage packets closes the
// connection and reconnects at the retry policy's pace; an exception inside a connection fails its
// calls with a typed error and the DC keeps working.
#include <catch2/catch.hpp>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/use_awaitable.hpp>

#include <filesystem>
#include <fstream>
#include <new>
#include <optional>
#include <stdexcept>

#include "hostile_relay.h"
#include "mtproto/api/Config.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/client/auth.h"
#include "mtproto/client/client.h"
#include "mtproto/session/error.h"
#include "mtproto/transport/error.h"
#include "testdc_fixture.h"

using namespace mtproto;
using namespace mtproto::test;
using namespace std::chrono_literals;
namespace fs = std::filesystem;
using action = hostile_relay::action;

namespace {

fs::path hostile_session(const std::string& name) {
  auto p = fs::temp_directory_path() / fmt::format("mtproto-hostile-{}-{}.session", ::getpid(), name);
  fs::remove(p);
  return p;
}

client::stored_session read_store(const fs::path& path) {
  client::file_session_store store(path);
  client::stored_session s;
  REQUIRE_FALSE(store.load(s));
  return s;
}

/// What must survive a forged -404: the key and the login (salts may legitimately move).
void require_same_login(const client::stored_session& before, const client::stored_session& after) {
  CHECK(after.home_dc == before.home_dc);
  CHECK(after.user_id == before.user_id);
  REQUIRE(after.dcs.size() == before.dcs.size());
  for (const auto& [id, dc] : before.dcs) {
    REQUIRE(after.dcs.contains(id));
    CHECK(after.dcs.at(id).key.bytes() == dc.key.bytes());
    CHECK(after.dcs.at(id).authorized == dc.authorized);
  }
}

std::uint16_t port_of(const emulator& dc, int id) {
  for (const auto& e : dc.endpoints())
    if (e.id == id && !e.cdn) return e.port;
  FAIL("no endpoint for dc" << id);
  return 0;
}

/// Client options whose home DC is reached through `relay`.
client::client_options through(const emulator& dc, const hostile_relay& relay, const fs::path& session) {
  auto o = dc.client_options();
  o.dc_table.set(o.dc_table.default_dc(), "127.0.0.1", relay.port());
  o.store = std::make_shared<client::file_session_store>(session);
  return o;
}

/// Signs a bot in through `o` and returns what it stored.
client::stored_session sign_in(emulator& dc, client::client_options o, const fs::path& session) {
  asio::io_context io;
  client::client c(io.get_executor(), std::move(o));
  auto user = run(io, client::sign_in_bot(c, dc.catalog().bot_token()));
  REQUIRE(user.has_value());
  c.shutdown();
  io.run_for(20ms);
  auto stored = read_store(session);
  REQUIRE(stored.user_id != 0);
  REQUIRE(stored.dcs.at(stored.home_dc).authorized);
  return stored;
}

client::call_result<api::Config> get_config(asio::io_context& io, client::client& c) {
  return run(io, c.async_invoke(api::help::getConfig{}, asio::use_awaitable));
}

}  // namespace

TEST_CASE("hostile: a forged -404 in the clear costs neither the key nor the login", "[e2e][hostile]") {
  emulator dc;
  hostile_relay::settings rs;
  rs.upstream_port = port_of(dc, 2);
  rs.decide = [](int n) { return n == 1 ? action::forge_unknown_key : action::forward; };
  hostile_relay relay(rs);
  const auto path = hostile_session("forged-clear");
  const auto before = sign_in(dc, through(dc, relay, path), path);
  const auto server_handshakes = dc.handshakes();

  // A new run of the program: its first connection meets the forged -404, the next one is clean.
  asio::io_context io;
  client::client c(io.get_executor(), through(dc, relay, path));
  auto config = get_config(io, c);
  INFO((config ? std::string() : config.error().message()));
  REQUIRE(config.has_value());
  CHECK(relay.connections() == 3);
  CHECK(c.stats().handshakes == 0);  // no new key
  CHECK(dc.handshakes() == server_handshakes);
  CHECK(c.login().authorized);
  c.shutdown();
  io.run_for(20ms);
  require_same_login(before, read_store(path));
  fs::remove(path);
}

TEST_CASE("hostile: -404 on every connection: the stored key and login stay until a new key exists",
          "[e2e][hostile]") {
  emulator dc;
  hostile_relay::settings rs;
  rs.upstream_port = port_of(dc, 2);
  rs.decide = [](int n) { return n == 0 ? action::forward : action::forge_unknown_key; };
  hostile_relay relay(rs);
  const auto path = hostile_session("forged-always");
  const auto before = sign_in(dc, through(dc, relay, path), path);

  auto o = through(dc, relay, path);
  client::backoff_policy quick;
  quick.initial_delay = 10ms;
  quick.max_delay = 40ms;
  quick.max_failures = 4;
  o.reconnect = client::make_retry_policy(quick);
  asio::io_context io;
  client::client c(io.get_executor(), o);
  auto config = get_config(io, c);
  REQUIRE_FALSE(config.has_value());
  CHECK(config.error().code == client::client_errc::connection_lost);
  CHECK(config.error().caused_by == transport::server_transport_error(-404));
  // Two -404s confirmed the loss and a new key was attempted, but the handshake never finished:
  // on disk nothing changed.
  CHECK(c.stats().handshakes == 0);
  c.shutdown();
  io.run_for(20ms);
  require_same_login(before, read_store(path));
  fs::remove(path);
}

TEST_CASE("hostile: an MTProxy's -404 is confirmed on a direct connection, and is not believed",
          "[e2e][hostile]") {
  emulator dc;
  const auto path = hostile_session("forged-proxy");
  auto direct = dc.client_options();
  direct.store = std::make_shared<client::file_session_store>(path);
  const auto before = sign_in(dc, direct, path);

  // The proxy knows its secret, so it can speak inside the obfuscation: it forges -404 always.
  hostile_relay::settings rs;
  rs.secret = transport::proxy_secret::from_hex("dd0123456789abcdef0123456789abcdef");
  REQUIRE(rs.secret);
  rs.decide = [](int) { return action::forge_unknown_key; };
  hostile_relay relay(rs);
  auto o = dc.client_options();
  o.store = std::make_shared<client::file_session_store>(path);
  o.transport.via_proxy = client::transport_settings::proxy{"127.0.0.1", relay.port(), *rs.secret};

  SECTION("with the direct check, the call goes through on the DC itself") {
    asio::io_context io;
    client::client c(io.get_executor(), o);
    auto config = get_config(io, c);
    INFO((config ? std::string() : config.error().message()));
    REQUIRE(config.has_value());
    CHECK(relay.connections() == 1);
    CHECK(c.stats().handshakes == 0);
    CHECK(c.login().authorized);
    c.shutdown();
    io.run_for(20ms);
  }
  SECTION("without it, the proxy can fail calls but never costs the key") {
    o.check_key_loss_directly = false;
    client::backoff_policy quick;
    quick.initial_delay = 10ms;
    quick.max_delay = 40ms;
    quick.max_failures = 3;
    o.reconnect = client::make_retry_policy(quick);
    asio::io_context io;
    client::client c(io.get_executor(), o);
    auto config = get_config(io, c);
    REQUIRE_FALSE(config.has_value());
    CHECK(config.error().code == client::client_errc::connection_lost);
    CHECK(config.error().caused_by == transport::server_transport_error(-404));
    CHECK(relay.connections() == 4);
    CHECK(c.stats().handshakes == 0);
    c.shutdown();
    io.run_for(20ms);
  }
  require_same_login(before, read_store(path));
  fs::remove(path);
}

TEST_CASE("hostile: a server sending garbage packets is reconnected to at the policy's pace, not faster",
          "[e2e][hostile]") {
  emulator dc;
  hostile_relay::settings rs;
  rs.upstream_port = port_of(dc, 2);
  rs.decide = [](int n) { return n == 0 ? action::forward : action::garbage; };
  hostile_relay relay(rs);
  const auto path = hostile_session("garbage");
  sign_in(dc, through(dc, relay, path), path);

  auto o = through(dc, relay, path);
  client::backoff_policy policy;
  policy.initial_delay = 40ms;
  policy.multiplier = 2;
  policy.max_delay = 1s;
  policy.max_failures = 4;
  o.reconnect = client::make_retry_policy(policy);
  o.max_bad_packets = 8;
  asio::io_context io;
  client::client c(io.get_executor(), o);
  const auto start = std::chrono::steady_clock::now();
  auto config = get_config(io, c);
  const auto took = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(config.has_value());
  CHECK(config.error().code == client::client_errc::connection_lost);
  CHECK(config.error().caused_by == session::session_errc::unknown_auth_key);
  // One connection, then one per allowed retry: garbage never resets the backoff.
  CHECK(relay.connections() - 1 == 1 + policy.max_failures);
  // The delays grow: at least half of 40 + 80 + 160 + 320 ms (full jitter's lower bound).
  CHECK(took >= 300ms);
  c.shutdown();
  io.run_for(20ms);
  fs::remove(path);
}

TEST_CASE("hostile: an exception inside a connection fails its calls with internal_error; the DC keeps working",
          "[e2e][hostile]") {
  emulator dc;
  SECTION("a completion handler that throws") {
    asio::io_context io;
    client::client c(io.get_executor(), dc.client_options());
    REQUIRE(get_config(io, c).has_value());
    std::vector<std::uint8_t> body;
    tl::writer w(body);
    api::help::getConfig{}.write(w);
    // A raw completion runs on the client's strand, inside the connection's read loop: its
    // exception ends that connection's coroutine.
    std::promise<void> thrown;
    // A call made while the connection winds down (after the throw, before it is recovered) was
    // never sent: it must wait for the next connection, not fail with the crashed one.
    std::optional<bool> made_during_wind_down;
    c.start_call(body, {}, [&](const client::call_error* e, std::span<const std::uint8_t>) {
      if (!e) {
        thrown.set_value();
        asio::post(io, [&] {
          c.start_call(body, {}, [&](const client::call_error* e2, std::span<const std::uint8_t>) {
            made_during_wind_down = e2 == nullptr;
          });
        });
        throw std::runtime_error("a handler that throws");
      }
    });
    auto done = thrown.get_future();
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (done.wait_for(0ms) != std::future_status::ready || !made_during_wind_down) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      io.run_for(5ms);
    }
    CHECK(*made_during_wind_down);
    auto next = get_config(io, c);
    INFO((next ? std::string() : next.error().message()));
    REQUIRE(next.has_value());
    CHECK(c.stats().handshakes == 1);  // the key survived; only the connection started over
    c.shutdown();
    io.run_for(20ms);
  }
  SECTION("memory exhausted in the middle of the connection's work") {
    auto o = dc.client_options();
    auto fail_next = std::make_shared<std::atomic<int>>(0);
    o.clock = [fail_next] {
      int armed = fail_next->load();
      if (armed > 0 && fail_next->compare_exchange_strong(armed, armed - 1) && armed == 1) throw std::bad_alloc();
      return core::clock::now();
    };
    asio::io_context io;
    client::client c(io.get_executor(), o);
    REQUIRE(get_config(io, c).has_value());  // connected, key made
    // The clock is read when the next packet is built: that read throws.
    fail_next->store(1);
    auto failed = get_config(io, c);
    REQUIRE_FALSE(failed.has_value());
    CHECK(failed.error().code == client::client_errc::internal_error);
    auto next = get_config(io, c);
    INFO((next ? std::string() : next.error().message()));
    REQUIRE(next.has_value());
    c.shutdown();
    io.run_for(20ms);
  }
}

TEST_CASE("bounds: past max_pending_calls a call is refused at once; past the in-flight cap calls wait",
          "[e2e][hostile]") {
  emulator dc;
  auto o = dc.client_options();
  o.max_pending_calls = 3;
  o.max_in_flight_per_connection = 2;
  asio::io_context io;
  client::client c(io.get_executor(), o);
  std::vector<std::future<client::call_result<api::Config>>> pending;
  for (int i = 0; i < 5; ++i) pending.push_back(c.async_invoke(api::help::getConfig{}, asio::use_future));
  int ok = 0, overloaded = 0;
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  for (auto& p : pending) {
    while (p.wait_for(0ms) != std::future_status::ready) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      io.run_for(5ms);
    }
    auto r = p.get();
    if (r) ++ok;
    else if (r.error().code == client::client_errc::overloaded) ++overloaded;
  }
  CHECK(ok == 3);          // three fit; two of them waited for the in-flight cap
  CHECK(overloaded == 2);  // refused without waiting for anything
  c.shutdown();
  io.run_for(20ms);
}

// The runtime's failure paths, with no MTProto server: a port that refuses, a server that accepts
// and never answers, cancellation, shutdown, and a refused session file. Every call must end with a
// typed error, never hang, through every kind of completion token.
#include <catch2/catch.hpp>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/use_future.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "mtproto/api/Config.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/client/client.h"
#include "mtproto/transport/error.h"

using namespace mtproto;
using namespace mtproto::client;
using namespace std::chrono_literals;

namespace {

/// Accepts connections and reads forever without answering.
struct black_hole {
  asio::ip::tcp::acceptor acceptor;
  std::vector<std::shared_ptr<asio::ip::tcp::socket>> sockets;
  std::array<std::uint8_t, 4096> sink{};
  explicit black_hole(asio::io_context& io) : acceptor(io, {asio::ip::address_v4::loopback(), 0}) { accept(); }
  std::uint16_t port() const { return acceptor.local_endpoint().port(); }
  void accept() {
    acceptor.async_accept([this](std::error_code ec, asio::ip::tcp::socket s) {
      if (ec) return;
      auto sp = std::make_shared<asio::ip::tcp::socket>(std::move(s));
      sockets.push_back(sp);
      drain(sp);
      accept();
    });
  }
  void drain(std::shared_ptr<asio::ip::tcp::socket> s) {
    s->async_read_some(asio::buffer(sink), [this, s](std::error_code ec, std::size_t) {
      if (!ec) drain(s);
    });
  }
};

std::uint16_t closed_port(asio::io_context& io) {
  asio::ip::tcp::acceptor a(io, {asio::ip::address_v4::loopback(), 0});
  return a.local_endpoint().port();  // closed when `a` goes away: connecting is refused
}

client_options local_options(std::uint16_t port) {
  client_options o;
  o.dc_table = dc_table::empty();
  o.dc_table.set(2, "127.0.0.1", port);
  o.dc_table.set_rsa_keys({crypto::telegram_test_key()});
  backoff_policy quick;
  quick.initial_delay = 10ms;
  quick.max_failures = 2;
  o.reconnect = make_retry_policy(quick);
  return o;
}

template <class T>
T run_until(asio::io_context& io, std::future<T>& f, std::chrono::seconds limit = 10s) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (f.wait_for(0ms) != std::future_status::ready) {
    if (std::chrono::steady_clock::now() > deadline) FAIL("no completion within the limit");
    io.run_for(10ms);
  }
  return f.get();
}

}  // namespace

TEST_CASE("offline: a refused connection fails the call with connect_failed after the retry policy", "[client]") {
  asio::io_context io;
  mtproto::client::client c(io.get_executor(), local_options(closed_port(io)));
  auto f = c.async_invoke(api::help::getConfig{}, asio::use_future);
  auto r = run_until(io, f);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.code() == client_errc::connect_failed);
  // What it came from travels along: the socket's own error.
  CHECK(r.error().caused_by == asio::error::connection_refused);
  CHECK(r.error().message().find("caused by") != std::string::npos);
  CHECK(c.stats().connects == 0);
}

TEST_CASE("offline: a server transport error keeps its code", "[client]") {
  const auto ec = mtproto::transport::server_transport_error(-429);
  CHECK(ec.value() == -429);
  CHECK(ec.category() == mtproto::transport::server_error_category());
  CHECK(ec.message().find("-429") != std::string::npos);
  CHECK(mtproto::transport::server_transport_error(-404) != mtproto::transport::server_transport_error(-429));
  CHECK(mtproto::transport::server_transport_error(-7).message() == "server transport error -7");
}

TEST_CASE("offline: a silent server hits the per-call timeout (callback token)", "[client]") {
  asio::io_context io;
  black_hole server(io);
  mtproto::client::client c(io.get_executor(), local_options(server.port()));
  call_options opts;
  opts.timeout = 200ms;
  std::optional<call_result<api::Config>> got;
  auto started = std::chrono::steady_clock::now();
  c.async_invoke(api::help::getConfig{}, opts, [&](call_result<api::Config> r) { got = std::move(r); });
  while (!got && std::chrono::steady_clock::now() - started < 10s) io.run_for(10ms);
  REQUIRE(got);
  CHECK(got->code() == client_errc::timeout);
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  CHECK(c.stats().connects == 1);
}

TEST_CASE("offline: the cancellation slot cancels a call (use_awaitable)", "[client]") {
  asio::io_context io;
  black_hole server(io);
  mtproto::client::client c(io.get_executor(), local_options(server.port()));
  asio::cancellation_signal signal;
  std::optional<std::error_code> got;
  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        auto r = co_await c.async_invoke(api::help::getConfig{},
                                         asio::bind_cancellation_slot(signal.slot(), asio::use_awaitable));
        got = r.code();
      },
      asio::detached);
  io.run_for(100ms);
  CHECK_FALSE(got);
  signal.emit(asio::cancellation_type::terminal);
  for (int i = 0; i < 100 && !got; ++i) io.run_for(10ms);
  REQUIRE(got);
  CHECK(*got == client_errc::cancelled);
}

TEST_CASE("offline: shutdown fails every queued call with shut_down; later calls fail at once", "[client]") {
  asio::io_context io;
  black_hole server(io);
  mtproto::client::client c(io.get_executor(), local_options(server.port()));
  std::vector<std::error_code> codes;
  for (int i = 0; i < 5; ++i) {
    call_options o;
    o.kind = i % 2 ? session_kind::download : session_kind::main;
    c.async_invoke(api::help::getConfig{}, o, [&](call_result<api::Config> r) { codes.push_back(r.code()); });
  }
  io.run_for(100ms);
  CHECK(codes.empty());
  c.shutdown();
  for (int i = 0; i < 100 && codes.size() < 5; ++i) io.run_for(10ms);
  REQUIRE(codes.size() == 5);
  for (auto& ec : codes) CHECK(ec == client_errc::shut_down);

  auto f = c.async_invoke(api::help::getConfig{}, asio::use_future);
  CHECK(run_until(io, f).code() == client_errc::shut_down);
}

TEST_CASE("offline: an unknown DC is a typed error", "[client]") {
  asio::io_context io;
  mtproto::client::client c(io.get_executor(), local_options(closed_port(io)));
  call_options o;
  o.dc = 42;
  auto f = c.async_invoke(api::help::getConfig{}, o, asio::use_future);
  CHECK(run_until(io, f).code() == client_errc::unknown_dc);
}

TEST_CASE("offline: a corrupt session file is refused and every call fails with the store error", "[client]") {
  auto path = std::filesystem::temp_directory_path() / ("mtproto-offline-" + std::to_string(::getpid()) + ".session");
  std::ofstream(path, std::ios::binary) << "MTPCSESS garbage that is not a session";
  asio::io_context io;
  auto o = local_options(closed_port(io));
  o.store = std::make_shared<file_session_store>(path);
  mtproto::client::client c(io.get_executor(), o);
  CHECK(c.load_error().category() == store_category());
  auto f = c.async_invoke(api::help::getConfig{}, asio::use_future);
  CHECK(run_until(io, f).code().category() == store_category());
  c.shutdown();
  io.run_for(50ms);
  // The refused file is left as it was: never overwritten.
  std::ifstream in(path, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), {});
  CHECK(content == "MTPCSESS garbage that is not a session");
  std::filesystem::remove(path);
}

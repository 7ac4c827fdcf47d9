// A TCP relay in front of mtproto-testdc that can turn hostile per connection: forward the bytes
// untouched, answer with a forged transport error -404 (as an on-path party or an MTProxy that
// knows the secret can), or send frames of garbage. Runs on its own thread.
#pragma once

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <future>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "mtproto/transport/stream_codec.h"

namespace mtproto::test {

class hostile_relay {
 public:
  enum class action { forward, forge_unknown_key, garbage };
  struct settings {
    std::string upstream_host = "127.0.0.1";
    std::uint16_t upstream_port = 0;
    /// The MTProxy secret clients use (an MTProxy can forge inside the obfuscation); none: the
    /// client speaks a plain transport (an on-path party forges in the clear).
    std::optional<transport::proxy_secret> secret;
    /// What to do with the n-th accepted connection (0-based).
    std::function<action(int)> decide = [](int) { return action::forward; };
  };

  explicit hostile_relay(settings s) : settings_(std::move(s)), acceptor_(io_) {
    asio::ip::tcp::endpoint local(asio::ip::make_address("127.0.0.1"), 0);
    acceptor_.open(local.protocol());
    acceptor_.bind(local);
    acceptor_.listen();
    port_ = acceptor_.local_endpoint().port();
    asio::co_spawn(io_, accept_loop(), asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~hostile_relay() {
    asio::post(io_, [this] { io_.stop(); });
    thread_.join();
  }
  hostile_relay(const hostile_relay&) = delete;
  hostile_relay& operator=(const hostile_relay&) = delete;

  std::uint16_t port() const noexcept { return port_; }
  /// Connections accepted so far.
  int connections() const noexcept { return accepted_.load(); }

 private:
  static constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

  asio::awaitable<void> accept_loop() {
    while (true) {
      auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
      if (ec) co_return;
      const int index = accepted_++;
      asio::co_spawn(io_, serve(std::move(socket), settings_.decide(index)), asio::detached);
    }
  }

  asio::awaitable<void> serve(asio::ip::tcp::socket client, action what) {
    if (what == action::forward) {
      asio::ip::tcp::socket upstream(io_);
      asio::ip::tcp::endpoint target(asio::ip::make_address(settings_.upstream_host), settings_.upstream_port);
      auto [ec] = co_await upstream.async_connect(target, use_tuple);
      if (ec) co_return;
      using namespace asio::experimental::awaitable_operators;
      co_await (pipe(client, upstream) || pipe(upstream, client));
      co_return;
    }
    // Read the client's opening bytes until the transport is known, as a server would.
    transport::server_options o;
    o.secret = settings_.secret;
    o.accept_unobfuscated = !settings_.secret;
    auto codec = transport::stream_codec::server(o, [this](std::span<std::uint8_t> out) {
      for (auto& b : out) b = static_cast<std::uint8_t>(rng_());
    });
    std::vector<std::uint8_t> buf(4096);
    while (!codec.info()) {
      auto [ec, n] = co_await client.async_read_some(asio::buffer(buf), use_tuple);
      if (ec) co_return;
      codec.feed(std::span(buf.data(), n));
      while (codec.next()) {
      }
      if (codec.error()) co_return;
    }
    if (what == action::forge_unknown_key) {
      auto bytes = codec.encode_transport_error(-404);
      co_await asio::async_write(client, asio::buffer(bytes), use_tuple);
      // Like a DC, close after saying so.
      asio::steady_timer linger(io_, std::chrono::milliseconds(20));
      co_await linger.async_wait(use_tuple);
      co_return;
    }
    // Garbage: well-framed packets that are nobody's (random auth_key_id, random contents).
    asio::steady_timer tick(io_);
    while (true) {
      std::vector<std::uint8_t> payload(120);
      for (auto& b : payload) b = static_cast<std::uint8_t>(rng_());
      auto bytes = codec.encode(payload);
      auto [ec, n] = co_await asio::async_write(client, asio::buffer(bytes), use_tuple);
      if (ec) co_return;
      tick.expires_after(std::chrono::milliseconds(5));
      co_await tick.async_wait(use_tuple);
    }
  }

  static asio::awaitable<void> pipe(asio::ip::tcp::socket& from, asio::ip::tcp::socket& to) {
    std::vector<std::uint8_t> buf(64 * 1024);
    while (true) {
      auto [ec, n] = co_await from.async_read_some(asio::buffer(buf), use_tuple);
      if (ec) break;
      auto [wec, m] = co_await asio::async_write(to, asio::buffer(buf.data(), n), use_tuple);
      if (wec) break;
    }
    asio::error_code ignored;
    to.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  }

  settings settings_;
  asio::io_context io_;
  asio::ip::tcp::acceptor acceptor_;
  std::uint16_t port_ = 0;
  std::atomic<int> accepted_{0};
  std::mt19937_64 rng_{42};
  std::thread thread_;
};

}  // namespace mtproto::test

// The gateway's HTTP/1.1 server on Asio: accepts connections, reads requests through
// request_parser, hands each to the application's handler with a response_writer, keeps the
// connection alive between requests, and enforces the timeouts a public server needs (header,
// idle, and a write that makes no progress: a client that stops reading is dropped rather
// than buffered for). stop() drains: no new requests, running responses finish, then close.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <system_error>

#include "download_response.h"
#include "http_request.h"

namespace tgstream {

/// Timeouts and bounds of the server.
struct server_limits {
  request_limits request{};
  std::chrono::milliseconds header_timeout{10'000};  ///< From the first byte of a request to its end.
  std::chrono::milliseconds idle_timeout{60'000};    ///< Between requests on a kept-alive connection.
  /// One write that makes no progress for this long ends the connection (a client that stopped
  /// reading: its download was paused meanwhile).
  std::chrono::milliseconds write_timeout{30'000};
  std::size_t max_connections = 4096;                ///< Further connections are closed at once.
  std::chrono::milliseconds drain_timeout{10'000};   ///< stop(): how long running responses may finish.
};

/// The response side of one request: a head, then body bytes. Owned by the connection; valid
/// for the handler's duration.
class response_writer {
 public:
  virtual ~response_writer() = default;
  /// Sends the status line and headers (Date and Connection are added). Once per request.
  virtual asio::awaitable<std::error_code> send_head(const response_head& head) = 0;
  /// Sends body bytes (after send_head), all of them, or fails.
  virtual asio::awaitable<std::error_code> send_body(std::span<const std::uint8_t> bytes) = 0;
  /// Ends a body of unknown length (a head without Content-Length is sent chunked to HTTP/1.1
  /// clients): writes the last chunk. A response whose handler returns without it is cut short,
  /// and the connection closes. Nothing to do for bodies of known length.
  virtual asio::awaitable<std::error_code> finish_body() = 0;
  /// send_body for callback code (a download sink): `done` runs on the connection's executor.
  virtual void async_send_body(std::span<const std::uint8_t> bytes, std::function<void(std::error_code)> done) = 0;
  /// Ask the connection to close after this response.
  virtual void close_after() = 0;
  /// The head went out.
  virtual bool head_sent() const = 0;
  /// The peer's address, for per-client limits and the access log.
  virtual const std::string& peer() const = 0;
  /// The connection's executor (where send_body runs).
  virtual asio::any_io_executor executor() const = 0;
};

/// Handles one request; the connection waits for it before reading the next.
using request_handler = std::function<asio::awaitable<void>(http_request&, response_writer&)>;

/// Counters of the server (for /metrics).
struct server_counters {
  std::uint64_t connections = 0;       ///< Accepted in all.
  std::uint64_t open_connections = 0;  ///< Open now.
  std::uint64_t requests = 0;          ///< Requests parsed.
  std::uint64_t refused = 0;           ///< Requests refused by the parser (malformed, too large).
  std::uint64_t timeouts = 0;          ///< Connections ended by a timeout.
};

/// A listening server. Use from one executor (a single-threaded io_context or a strand), and
/// destroy it only after stop()'s `done` ran (connections refer to it until they close).
class http_server {
 public:
  http_server(asio::any_io_executor ex, const asio::ip::tcp::endpoint& listen, request_handler handler,
              server_limits limits = {});
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  /// Where it listens (port 0 resolved).
  asio::ip::tcp::endpoint local_endpoint() const;
  /// Begins accepting.
  void start();
  /// Stops accepting and drains; `done` runs when every connection has closed.
  void stop(std::function<void()> done = {});
  /// Counters so far.
  const server_counters& counters() const noexcept { return counters_; }

  /// Internal: one connection.
  class connection;

 private:
  asio::awaitable<void> accept_loop();
  void forget(connection* c);

  asio::any_io_executor ex_;
  asio::ip::tcp::acceptor acceptor_;
  request_handler handler_;
  server_limits limits_;
  server_counters counters_;
  std::set<std::shared_ptr<connection>> connections_;
  bool stopping_ = false;
  std::function<void()> on_drained_;
  asio::steady_timer drain_timer_;
};

/// `HTTP/1.1 <status> <reason>`'s reason phrase.
const char* reason_phrase(int status) noexcept;

/// A JSON error body: {"error": {"status", "code", "message"}}.
std::string json_error(int status, std::string_view code, std::string_view message);

}  // namespace tgstream

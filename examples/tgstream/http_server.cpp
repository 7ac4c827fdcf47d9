#include "http_server.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <charconv>
#include <ctime>
#include <optional>

namespace tgstream {
namespace {

using asio::ip::tcp;
using clock = std::chrono::steady_clock;
constexpr std::size_t read_chunk = 16 * 1024;
constexpr std::string_view crlf = "\r\n";
constexpr std::string_view last_chunk = "0\r\n\r\n";
constexpr auto linger_time = std::chrono::seconds(2);
constexpr std::size_t max_linger_bytes = 1 << 20;

std::string peer_of(const tcp::socket& s) {
  asio::error_code ec;
  const auto ep = s.remote_endpoint(ec);
  if (ec) return "unknown";
  return ep.address().to_string();
}

}  // namespace

const char* reason_phrase(int status) noexcept {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 413: return "Content Too Large";
    case 414: return "URI Too Long";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
  }
  return "Unknown";
}

std::string json_error(int status, std::string_view code, std::string_view message) {
  nlohmann::json j = {{"error", {{"status", status}, {"code", code}, {"message", message}}}};
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

class http_server::connection : public response_writer, public std::enable_shared_from_this<connection> {
 public:
  connection(http_server& server, tcp::socket socket)
      : server_(server), socket_(std::move(socket)), ex_(socket_.get_executor()), watchdog_(ex_),
        parser_(server.limits_.request), peer_(peer_of(socket_)) {}

  void start() {
    auto self = shared_from_this();
    asio::co_spawn(socket_.get_executor(), watchdog(), asio::detached);
    asio::co_spawn(socket_.get_executor(), run(), [self](std::exception_ptr e) {
      if (e) {
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          fmt::print(stderr, "tgstream: connection from {} failed: {}\n", self->peer_, x.what());
        } catch (...) {
        }
      }
      self->close();
      self->server_.forget(self.get());
    });
  }

  /// Closes at once if no response is running, else after it.
  void shut() {
    closing_ = true;
    if (!busy_) close();
  }

  void close() {
    if (closed_) return;
    closed_ = true;
    asio::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    watchdog_.cancel();
  }

  asio::awaitable<std::error_code> send_head(const response_head& head) override {
    std::string text = fmt::format("HTTP/1.1 {} {}\r\n", head.status, reason_phrase(head.status));
    expected_body_.reset();
    for (const auto& [name, value] : head.headers) {
      text += fmt::format("{}: {}\r\n", name, value);
      if (name == "Content-Length") {
        std::int64_t n = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        if (ec == std::errc{} && end == value.data() + value.size()) expected_body_ = n;
      }
    }
    if (head_request_ || head.status == 304 || head.status == 204) expected_body_ = 0;
    chunked_ = false;
    chunks_finished_ = false;
    if (!expected_body_) {
      // A body of unknown length: chunked for HTTP/1.1 clients, ended by closing for HTTP/1.0 ones.
      if (http11_) {
        text += "Transfer-Encoding: chunked\r\n";
        chunked_ = true;
      } else {
        close_after_ = true;
      }
    }
    text += fmt::format("Date: {}\r\n", http_date(std::time(nullptr)));
    text += keep_alive() ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
    head_sent_ = true;
    co_return co_await write(asio::buffer(text));
  }

  asio::awaitable<std::error_code> send_body(std::span<const std::uint8_t> bytes) override {
    if (head_request_ || bytes.empty()) co_return std::error_code{};
    body_sent_ += static_cast<std::int64_t>(bytes.size());
    if (chunked_) {
      const auto size_line = fmt::format("{:x}\r\n", bytes.size());
      const std::array<asio::const_buffer, 3> chunk{asio::buffer(size_line), asio::buffer(bytes.data(), bytes.size()),
                                                    asio::buffer(crlf)};
      co_return co_await write(chunk);
    }
    co_return co_await write(asio::buffer(bytes.data(), bytes.size()));
  }

  asio::awaitable<std::error_code> finish_body() override {
    if (!chunked_ || chunks_finished_ || head_request_) co_return std::error_code{};
    chunks_finished_ = true;
    co_return co_await write(asio::buffer(last_chunk));
  }

  void async_send_body(std::span<const std::uint8_t> bytes, std::function<void(std::error_code)> done) override {
    if (closed_) return done(make_error_code(std::errc::connection_aborted));
    if (head_request_) return done({});
    if (chunked_) {  // a rare path (downloads have a length): the coroutine form frames the chunk
      asio::co_spawn(ex_, send_body(bytes), [done = std::move(done)](std::exception_ptr e, std::error_code ec) {
        done(e ? make_error_code(std::errc::io_error) : ec);
      });
      return;
    }
    body_sent_ += static_cast<std::int64_t>(bytes.size());
    set_deadline(clock::now() + server_.limits_.write_timeout);
    asio::async_write(socket_, asio::buffer(bytes.data(), bytes.size()),
                      [self = shared_from_this(), done = std::move(done)](asio::error_code ec, std::size_t) {
                        self->set_deadline(clock::time_point::max());
                        done(ec);
                      });
  }

  void close_after() override { close_after_ = true; }
  bool head_sent() const override { return head_sent_; }
  const std::string& peer() const override { return peer_; }
  asio::any_io_executor executor() const override { return ex_; }

 private:
  bool keep_alive() const { return !close_after_ && !closing_ && keep_alive_; }

  void set_deadline(clock::time_point t) {
    deadline_ = t;
    watchdog_.expires_at(t);  // wakes the watchdog to wait for the new deadline
  }

  asio::awaitable<void> watchdog() {
    auto self = shared_from_this();
    while (!closed_) {
      asio::error_code ec;
      co_await watchdog_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (closed_) break;
      if (deadline_ <= clock::now()) {
        ++server_.counters_.timeouts;
        close();
        break;
      }
    }
  }

  template <class Buffers>
  asio::awaitable<std::error_code> write(const Buffers& b) {
    asio::error_code ec;
    set_deadline(clock::now() + server_.limits_.write_timeout);
    co_await asio::async_write(socket_, b, asio::redirect_error(asio::use_awaitable, ec));
    set_deadline(clock::time_point::max());
    co_return ec;
  }

  /// Reads until the parser has a request (true) or the connection must end (false).
  asio::awaitable<bool> read_request() {
    set_deadline(clock::now() + server_.limits_.idle_timeout);
    bool started = false;
    for (;;) {
      if (!pending_.empty()) {
        const auto r = parser_.feed(std::span(pending_.data(), pending_.size()));
        pending_.erase(0, r.consumed);
        if (r.what == request_parser::state::complete) co_return true;
        if (r.what == request_parser::state::refused) {
          ++server_.counters_.refused;
          const auto& why = parser_.refusal();
          co_await refuse(why.status, why.code, why.message);
          co_return false;
        }
      }
      if (!started && parser_.eof_mid_request()) {
        started = true;
        set_deadline(clock::now() + server_.limits_.header_timeout);
      }
      std::array<char, read_chunk> buf;
      asio::error_code ec;
      const auto n = co_await socket_.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
      if (ec || closing_) {
        if (ec && parser_.eof_mid_request() && !closed_) co_await refuse(400, "bad_request", "the request ended early");
        co_return false;
      }
      pending_.append(buf.data(), n);
    }
  }

  asio::awaitable<void> refuse(int status, std::string_view code, std::string_view message) {
    close_after_ = true;
    refused_ = true;
    const auto body = json_error(status, code, message);
    response_head head{status, {{"Content-Type", "application/json"}, {"Content-Length", std::to_string(body.size())}}};
    if (co_await send_head(head)) co_return;
    co_await send_body(std::span(reinterpret_cast<const std::uint8_t*>(body.data()), body.size()));
  }

  asio::awaitable<void> run() {
    auto self = shared_from_this();
    while (!closed_ && !closing_) {
      if (!co_await read_request()) break;
      ++server_.counters_.requests;
      auto& request = parser_.request();
      busy_ = true;
      head_sent_ = false;
      body_sent_ = 0;
      close_after_ = false;
      keep_alive_ = request.keep_alive;
      head_request_ = request.method == "HEAD";
      http11_ = request.version_major == 1 && request.version_minor >= 1;
      set_deadline(clock::time_point::max());  // the handler may wait (a flood wait) without I/O
      co_await server_.handler_(request, *this);
      if (!head_sent_ && !closed_) co_await refuse(500, "internal_error", "the request was not answered");
      busy_ = false;
      // A body cut short (the download failed mid-way) can only be told by closing.
      if (expected_body_ && *expected_body_ != body_sent_ && !head_request_) close_after_ = true;
      if (chunked_ && !chunks_finished_) close_after_ = true;  // no last chunk: the body is cut short
      if (!keep_alive() || closed_) break;
      parser_.reset();
    }
    if (refused_ && !closed_) co_await linger();
    close();
  }

  /// After a refusal the client may still be sending (an oversized header, a body): closing with
  /// its bytes unread would reset the connection and could destroy the answer before it is read.
  /// So: end our side, read and drop what comes for a moment, then close.
  asio::awaitable<void> linger() {
    asio::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_send, ec);
    set_deadline(clock::now() + linger_time);
    std::size_t drained = 0;
    std::array<char, read_chunk> buf;
    while (!ec && !closed_ && drained < max_linger_bytes)
      drained += co_await socket_.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
  }

  http_server& server_;
  tcp::socket socket_;
  asio::any_io_executor ex_;
  asio::steady_timer watchdog_;
  clock::time_point deadline_ = clock::time_point::max();
  request_parser parser_;
  std::string pending_;
  std::string peer_;
  bool busy_ = false;
  bool closing_ = false;
  bool closed_ = false;
  bool close_after_ = false;
  bool keep_alive_ = true;
  bool head_request_ = false;
  bool head_sent_ = false;
  bool refused_ = false;
  std::int64_t body_sent_ = 0;
  bool http11_ = true;
  bool chunked_ = false;          // this response's body is sent in chunks
  bool chunks_finished_ = false;  // the last chunk went out
  std::optional<std::int64_t> expected_body_;
};

http_server::http_server(asio::any_io_executor ex, const tcp::endpoint& listen, request_handler handler,
                         server_limits limits)
    : ex_(ex), acceptor_(ex, listen), handler_(std::move(handler)), limits_(limits), drain_timer_(ex) {}

http_server::~http_server() {
  asio::error_code ignored;
  acceptor_.close(ignored);
  for (const auto& c : connections_) c->close();
}

tcp::endpoint http_server::local_endpoint() const { return acceptor_.local_endpoint(); }

void http_server::start() { asio::co_spawn(ex_, accept_loop(), asio::detached); }

asio::awaitable<void> http_server::accept_loop() {
  while (!stopping_) {
    asio::error_code ec;
    auto socket = co_await acceptor_.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (stopping_ || ec == asio::error::operation_aborted) co_return;
      // Out of descriptors and the like: wait a little instead of spinning.
      asio::steady_timer pause(ex_, std::chrono::milliseconds(50));
      co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      continue;
    }
    if (connections_.size() >= limits_.max_connections) continue;  // closed as it goes out of scope
    asio::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    ++counters_.connections;
    auto c = std::make_shared<connection>(*this, std::move(socket));
    connections_.insert(c);
    counters_.open_connections = connections_.size();
    c->start();
  }
}

void http_server::forget(connection* c) {
  for (auto it = connections_.begin(); it != connections_.end(); ++it) {
    if (it->get() != c) continue;
    connections_.erase(it);
    break;
  }
  counters_.open_connections = connections_.size();
  if (stopping_ && connections_.empty() && on_drained_) {
    drain_timer_.cancel();
    std::exchange(on_drained_, nullptr)();
  }
}

void http_server::stop(std::function<void()> done) {
  stopping_ = true;
  asio::error_code ignored;
  acceptor_.close(ignored);
  on_drained_ = std::move(done);
  if (connections_.empty()) {
    if (on_drained_) std::exchange(on_drained_, nullptr)();
    return;
  }
  for (const auto& c : std::set(connections_)) c->shut();
  drain_timer_.expires_after(limits_.drain_timeout);
  drain_timer_.async_wait([this](asio::error_code ec) {
    if (ec) return;
    for (const auto& c : std::set(connections_)) c->close();
  });
}

}  // namespace tgstream

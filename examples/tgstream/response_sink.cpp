#include "response_sink.h"

#include <asio/co_spawn.hpp>

namespace tgstream {

namespace download = mtproto::download;

response_sink::response_sink(response_writer& out, std::function<asio::awaitable<std::error_code>()> send_head)
    : out_(out), send_head_(std::move(send_head)) {}

void response_sink::async_start(const download::sink_start& info, download::sink_start_handler done) {
  done({}, info.first);
}

void response_sink::async_write_at(std::int64_t, std::span<const std::uint8_t> bytes, download::sink_handler done) {
  if (!first_byte_at_) {
    first_byte_at_ = std::chrono::steady_clock::now();
    // The head goes out first, then this part; both through the connection's executor.
    asio::co_spawn(
        out_.executor(),
        [this, bytes]() -> asio::awaitable<std::error_code> {
          if (auto ec = co_await send_head_()) co_return ec;
          co_return co_await out_.send_body(bytes);
        },
        [this, done = std::move(done), n = bytes.size()](std::exception_ptr e, std::error_code ec) {
          if (e) ec = make_error_code(std::errc::io_error);
          if (!ec) sent_ += static_cast<std::int64_t>(n);
          done(ec);
        });
    return;
  }
  out_.async_send_body(bytes, [this, done = std::move(done), n = bytes.size()](std::error_code ec) {
    if (!ec) sent_ += static_cast<std::int64_t>(n);
    done(ec);
  });
}

void response_sink::async_finish(download::sink_handler done) { done({}); }

void response_sink::fail(std::error_code) noexcept {}

}  // namespace tgstream

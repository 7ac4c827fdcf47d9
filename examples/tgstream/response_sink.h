// The ordered download sink that is an HTTP response body: each write the downloader hands over
// (in order, one at a time) goes to the socket, and the next comes only when the socket took it,
// so a slow client pauses the download instead of growing memory; a client that went away
// fails the write and with it the download.
#pragma once

#include <chrono>
#include <optional>

#include "http_server.h"
#include "mtproto/download/sink.h"

namespace tgstream {

class response_sink final : public mtproto::download::sink {
 public:
  /// Writes into `out`, whose head must be sent before the first byte arrives: `on_first_byte`
  /// runs then (it sends the head) — so the status line leaves when the first part is here.
  response_sink(response_writer& out, std::function<asio::awaitable<std::error_code>()> send_head);

  void async_start(const mtproto::download::sink_start& info, mtproto::download::sink_start_handler done) override;
  void async_write_at(std::int64_t offset, std::span<const std::uint8_t> bytes,
                      mtproto::download::sink_handler done) override;
  void async_finish(mtproto::download::sink_handler done) override;
  void fail(std::error_code reason) noexcept override;

  /// Bytes the socket took.
  std::int64_t bytes_sent() const noexcept { return sent_; }
  /// When the first body byte was handed to the socket.
  std::optional<std::chrono::steady_clock::time_point> first_byte_at() const noexcept { return first_byte_at_; }

 private:
  response_writer& out_;
  std::function<asio::awaitable<std::error_code>()> send_head_;
  std::int64_t sent_ = 0;
  std::optional<std::chrono::steady_clock::time_point> first_byte_at_;
};

}  // namespace tgstream

// One ?format=mp4 response's remux: a thread runs the remuxer (libavformat blocks) over a
// download_source, and hands MP4 pieces to the response's coroutine through a bounded queue, so
// a slow client stalls the remux, which stalls the download. Destroying it (or abort()) stops
// all three within a piece or a part.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/steady_timer.hpp>

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "download_source.h"
#include "remux.h"

namespace tgstream {

class remux_stream {
 public:
  /// Starts the remux thread at once; `ex` is the response's executor (the coroutines below run
  /// there). `max_queued`: MP4 bytes waiting for the client before the remux pauses.
  /// `probe_only`: stop once the streams are known (for the card's track list).
  remux_stream(asio::any_io_executor ex, std::int64_t size, download_source::starter start, std::optional<int> audio,
               bool probe_only = false, std::size_t max_queued = 1 << 20, download_source_limits limits = {});
  ~remux_stream();
  remux_stream(const remux_stream&) = delete;
  remux_stream& operator=(const remux_stream&) = delete;

  /// Waits for the input's streams; then what keeps them from MP4 (nothing: remuxing goes on).
  asio::awaitable<std::optional<remux_error>> probed();
  /// After probed(): the streams.
  media_layout layout() const;
  /// The next MP4 piece; empty at the end. Throws remux_error when the remux failed.
  asio::awaitable<std::vector<std::uint8_t>> next();
  /// The client left: ends the remux and its downloads.
  void abort();

  /// Range downloads the remux needed (1 when read straight through; +1 per jump).
  int downloads_started() const { return source_.downloads_started(); }

 private:
  void work(std::optional<int> audio, bool probe_only);
  void wake();  // from the thread: resumes a waiting coroutine
  bool probe_over() const { return probed_ || done_; }
  bool piece_or_end() const { return !pieces_.empty() || done_; }
  /// Waits until `(this->*ready)()` holds (checked under the mutex).
  asio::awaitable<void> wait(bool (remux_stream::*ready)() const);

  asio::any_io_executor ex_;
  download_source source_;
  std::size_t max_queued_;
  asio::steady_timer wakeup_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // wake() posts only while we exist

  mutable std::mutex m_;
  std::condition_variable room_;
  std::deque<std::vector<std::uint8_t>> pieces_;
  std::size_t queued_ = 0;
  bool probed_ = false;
  std::optional<remux_error> refusal_;
  media_layout layout_;
  bool done_ = false;
  bool aborted_ = false;
  std::optional<remux_error> error_;
  std::thread thread_;  // last: started once everything above exists
};

}  // namespace tgstream

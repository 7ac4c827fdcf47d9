#include "download_source.h"

#include <asio/post.hpp>

#include <algorithm>
#include <utility>

namespace tgstream {

namespace download = mtproto::download;

/// Everything the reader (remux thread) and the downloads (executor) share, under one mutex.
struct download_source::shared {
  asio::any_io_executor ex;
  starter start;
  download_source_limits limits;
  std::mutex m;
  std::condition_variable arrived;
  struct chunk {
    std::int64_t offset;
    std::vector<std::uint8_t> bytes;
  };
  std::deque<chunk> chunks;      // contiguous, ascending: [begin, end)
  std::int64_t begin = 0, end = 0;
  std::int64_t reader = 0;       // where the last read ended
  std::uint64_t generation = 0;  // of the download feeding `chunks`
  bool running = false;          // that download may still deliver
  std::error_code failed;        // it failed (or cancel())
  bool cancelled = false;
  download::sink_handler paused;  // the held completion of a write beyond the window
  int started = 0;
  std::int64_t fetched = 0;

  /// Resumes a paused download once the reader made room (call with `m` held; runs it on ex).
  void release_if_room() {
    if (paused && end - reader < static_cast<std::int64_t>(limits.window))
      asio::post(ex, [done = std::exchange(paused, nullptr)] { done({}); });
  }
  void trim() {
    while (!chunks.empty() && chunks.front().offset + static_cast<std::int64_t>(chunks.front().bytes.size()) <
                                  reader - static_cast<std::int64_t>(limits.keep_behind)) {
      begin += static_cast<std::int64_t>(chunks.front().bytes.size());
      chunks.pop_front();
    }
  }
};

/// The sink of one range download; stale once a newer download replaced it.
class download_source::stream_sink final : public download::sink {
 public:
  stream_sink(std::shared_ptr<shared> s, std::uint64_t generation) : s_(std::move(s)), generation_(generation) {}

  void async_start(const download::sink_start& info, download::sink_start_handler done) override { done({}, info.first); }

  void async_write_at(std::int64_t offset, std::span<const std::uint8_t> bytes, download::sink_handler done) override {
    std::unique_lock lock(s_->m);
    if (stale()) return finish_unlocked(lock, std::move(done), make_error_code(std::errc::operation_canceled));
    if (offset != s_->end) return finish_unlocked(lock, std::move(done), make_error_code(std::errc::invalid_argument));
    s_->chunks.push_back({offset, std::vector<std::uint8_t>(bytes.begin(), bytes.end())});
    s_->end += static_cast<std::int64_t>(bytes.size());
    s_->fetched += static_cast<std::int64_t>(bytes.size());
    s_->arrived.notify_all();
    if (s_->end - s_->reader >= static_cast<std::int64_t>(s_->limits.window)) {
      s_->paused = std::move(done);  // back-pressure: resumed when the reader consumes
      return;
    }
    finish_unlocked(lock, std::move(done), {});
  }

  void async_finish(download::sink_handler done) override {
    std::unique_lock lock(s_->m);
    if (!stale()) s_->running = false;
    s_->arrived.notify_all();
    finish_unlocked(lock, std::move(done), {});
  }

  void fail(std::error_code reason) noexcept override {
    std::lock_guard lock(s_->m);
    if (stale()) return;
    s_->running = false;
    if (!s_->failed) s_->failed = reason ? reason : make_error_code(std::errc::io_error);
    s_->arrived.notify_all();
  }

 private:
  bool stale() const { return s_->cancelled || s_->generation != generation_; }
  static void finish_unlocked(std::unique_lock<std::mutex>& lock, download::sink_handler done, std::error_code ec) {
    lock.unlock();
    done(ec);
  }

  std::shared_ptr<shared> s_;
  std::uint64_t generation_;
};

download_source::download_source(asio::any_io_executor ex, std::int64_t size, starter start, download_source_limits limits)
    : s_(std::make_shared<shared>()), size_(size) {
  s_->ex = std::move(ex);
  s_->start = std::move(start);
  s_->limits = limits;
}

download_source::~download_source() { cancel(); }

std::size_t download_source::read_at(std::int64_t offset, std::span<std::uint8_t> out) {
  if (offset < 0 || offset >= size_ || out.empty()) throw remux_error(remux_errc::read_failed, "a read outside the file");
  std::unique_lock lock(s_->m);
  for (;;) {
    if (s_->cancelled) throw remux_error(remux_errc::read_failed, "the remux was cancelled");
    if (offset >= s_->begin && offset < s_->end) break;  // buffered
    const bool coming = s_->running && !s_->failed && offset >= s_->end && offset - s_->end <= s_->limits.max_gap;
    if (!coming) {
      if (s_->failed && s_->running == false && offset >= s_->begin && offset <= s_->end + s_->limits.max_gap && s_->generation > 0)
        throw remux_error(remux_errc::read_failed, "the download failed: " + s_->failed.message());
      // A new range download from here; the old one stops at its next write.
      ++s_->generation;
      s_->chunks.clear();
      s_->begin = s_->end = s_->reader = offset;
      s_->running = true;
      s_->failed = {};
      ++s_->started;
      if (s_->paused) asio::post(s_->ex, [done = std::exchange(s_->paused, nullptr)] { done(make_error_code(std::errc::operation_canceled)); });
      auto sink = std::make_shared<stream_sink>(s_, s_->generation);
      asio::post(s_->ex, [s = s_, offset, sink] { s->start(offset, sink); });
    }
    // While waiting, the reader is here: the window counts from this offset.
    s_->reader = std::max(s_->reader, std::min(offset, s_->end));
    s_->release_if_room();
    s_->arrived.wait(lock);
  }
  // Copy from the chunks holding `offset`.
  std::size_t copied = 0;
  for (const auto& c : s_->chunks) {
    const auto c_end = c.offset + static_cast<std::int64_t>(c.bytes.size());
    const auto at = offset + static_cast<std::int64_t>(copied);
    if (c_end <= at) continue;
    if (c.offset > at || copied == out.size()) break;
    const auto from = static_cast<std::size_t>(at - c.offset);
    const auto n = std::min(out.size() - copied, c.bytes.size() - from);
    std::copy_n(c.bytes.begin() + static_cast<std::ptrdiff_t>(from), n, out.begin() + static_cast<std::ptrdiff_t>(copied));
    copied += n;
  }
  s_->reader = offset + static_cast<std::int64_t>(copied);
  s_->trim();
  s_->release_if_room();
  return copied;
}

void download_source::cancel(std::error_code why) {
  std::lock_guard lock(s_->m);
  if (s_->cancelled) return;
  s_->cancelled = true;
  if (!s_->failed) s_->failed = why;
  s_->chunks.clear();
  if (s_->paused) asio::post(s_->ex, [done = std::exchange(s_->paused, nullptr)] { done(make_error_code(std::errc::operation_canceled)); });
  s_->arrived.notify_all();
}

int download_source::downloads_started() const {
  std::lock_guard lock(s_->m);
  return s_->started;
}

std::int64_t download_source::bytes_fetched() const {
  std::lock_guard lock(s_->m);
  return s_->fetched;
}

}  // namespace tgstream

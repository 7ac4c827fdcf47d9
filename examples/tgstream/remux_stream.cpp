#include "remux_stream.h"

#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>

#include <utility>

namespace tgstream {

remux_stream::remux_stream(asio::any_io_executor ex, std::int64_t size, download_source::starter start,
                           std::optional<int> audio, bool probe_only, std::size_t max_queued, download_source_limits limits)
    : ex_(ex), source_(ex, size, std::move(start), limits), max_queued_(max_queued), wakeup_(ex),
      thread_([this, audio, probe_only] { work(audio, probe_only); }) {}

remux_stream::~remux_stream() {
  abort();
  thread_.join();  // quick: every wait of the thread was just woken
  *alive_ = false;
}

void remux_stream::abort() {
  {
    std::lock_guard lock(m_);
    aborted_ = true;
  }
  room_.notify_all();
  source_.cancel();
}

void remux_stream::wake() {
  // The timer is the coroutine's, so it is touched on its executor only.
  asio::post(ex_, [this, alive = alive_] {
    if (*alive) wakeup_.cancel();
  });
}

void remux_stream::work(std::optional<int> audio, bool probe_only) {
  try {
    remuxer r(source_);
    {
      std::lock_guard lock(m_);
      layout_ = r.layout();
      refusal_ = r.check(audio);
      probed_ = true;
    }
    wake();
    if (!refusal_ && !probe_only) {
      r.run(audio, [this](std::span<const std::uint8_t> piece) {
        std::unique_lock lock(m_);
        room_.wait(lock, [this] { return aborted_ || queued_ < max_queued_; });
        if (aborted_) throw remux_error(remux_errc::write_failed, "the client went away");
        pieces_.emplace_back(piece.begin(), piece.end());
        queued_ += piece.size();
        lock.unlock();
        wake();
      });
    }
  } catch (const remux_error& e) {
    std::lock_guard lock(m_);
    error_ = e;
  } catch (const std::exception& e) {
    std::lock_guard lock(m_);
    error_ = remux_error(remux_errc::muxing_failed, e.what());
  }
  {
    std::lock_guard lock(m_);
    done_ = true;
  }
  wake();
}

asio::awaitable<void> remux_stream::wait(bool (remux_stream::*ready)() const) {
  for (;;) {
    {
      std::lock_guard lock(m_);
      if ((this->*ready)()) co_return;
    }
    // wake() runs on this executor, so it cannot slip between the check and the wait.
    wakeup_.expires_at(asio::steady_timer::time_point::max());
    asio::error_code ignored;
    co_await wakeup_.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<std::optional<remux_error>> remux_stream::probed() {
  co_await wait(&remux_stream::probe_over);
  std::lock_guard lock(m_);
  if (!probed_) co_return error_.value_or(remux_error(remux_errc::read_failed, "the remux ended before probing"));
  co_return refusal_;
}

media_layout remux_stream::layout() const {
  std::lock_guard lock(m_);
  return layout_;
}

asio::awaitable<std::vector<std::uint8_t>> remux_stream::next() {
  co_await wait(&remux_stream::piece_or_end);
  std::unique_lock lock(m_);
  if (pieces_.empty()) {
    if (error_) throw *error_;
    co_return std::vector<std::uint8_t>{};
  }
  auto piece = std::move(pieces_.front());
  pieces_.pop_front();
  queued_ -= piece.size();
  lock.unlock();
  room_.notify_all();
  co_return piece;
}

}  // namespace tgstream

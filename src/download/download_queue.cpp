#include "mtproto/download/download_queue.h"

#include <asio/dispatch.hpp>
#include <asio/post.hpp>
#include <asio/strand.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

#include "mtproto/download/error.h"

namespace mtproto::download {
namespace {

/// (account, DC, large): a per-account limit's counter.
using slot_key = std::tuple<std::string, int, bool>;

struct running_download {
  std::shared_ptr<download_job> job;
  std::int64_t reserved = 0;
  std::vector<slot_key> slots;
};

class queue final : public download_queue, public std::enable_shared_from_this<queue> {
 public:
  queue(asio::any_io_executor ex, queue_options o)
      : ex_(asio::make_strand(std::move(ex))), opt_(o), gate_(std::make_shared<shared_flood_gate>(o.flood)) {}

  void push(queued_download d) override {
    asio::dispatch(ex_, [self = shared_from_this(), d = std::move(d)]() mutable {
      if (d.members.empty() || !d.members.front().client || !d.out) {
        auto done = std::move(d.done);
        if (done) done(std::make_error_code(std::errc::invalid_argument), {});
        return;
      }
      self->waiting_.push_back(std::move(d));
      self->pump();
    });
  }

  void cancel_all() override {
    asio::dispatch(ex_, [self = shared_from_this()] {
      auto waiting = std::move(self->waiting_);
      self->waiting_.clear();
      for (auto& d : waiting) {
        self->publish([](queue_statistics& s) { ++s.finished; });
        if (d.done) d.done(download_errc::cancelled, {});
      }
      for (auto& [id, r] : self->running_) r.job->cancel();
      self->publish_counts();
    });
  }

  queue_statistics statistics() const override {
    std::lock_guard lock(stats_mutex_);
    return stats_;
  }

 private:
  static std::int64_t wanted_bytes(const queued_download& d) {
    const auto& o = d.options;
    if (o.range) return std::max<std::int64_t>(0, o.range->second - o.range->first);
    return d.members.front().file.size;
  }

  /// The part size the engine will use (verify raises it to a hash block).
  static std::int64_t part_size(const download_options& o) {
    return o.verify ? std::max(o.part_size, file_hash_block) : o.part_size;
  }

  /// The window a download reserves: its own, cut to its wanted bytes, at least one part.
  std::int64_t reservation(const queued_download& d) const {
    const auto part = std::max<std::int64_t>(1, part_size(d.options));
    const auto whole = (wanted_bytes(d) + part - 1) / part * part;
    return std::max(part, std::min(d.options.window_bytes, whole));
  }

  int limit(bool large) const { return large ? opt_.large_files_per_account_dc : opt_.small_files_per_account_dc; }

  slot_key key_of(const pool_member& m, bool large) const { return {m.account, m.file.location.dc_id, large}; }

  /// Starts waiting downloads in order. One whose accounts have no slot waits while later ones
  /// may start (a small file need not wait behind a large one for a large slot); one that does
  /// not fit the budget stops the scan, so small files cannot starve a large one of memory.
  void pump() {
    for (auto it = waiting_.begin(); it != waiting_.end();) {
      auto& d = *it;
      const bool large = wanted_bytes(d) >= opt_.large_file_bytes;
      std::vector<pool_member> members;
      for (auto& m : d.members)
        if (m.client && slots_[key_of(m, large)] < limit(large)) members.push_back(m);
      if (members.empty()) {
        ++it;
        continue;
      }
      auto reserve = reservation(d);
      if (reserved_ + reserve > opt_.max_bytes_in_flight) {
        if (!running_.empty()) break;
        // Alone it runs whatever its size, within the budget (at least one part).
        reserve = std::max(std::max<std::int64_t>(1, part_size(d.options)), opt_.max_bytes_in_flight);
      }
      start(std::move(d), std::move(members), large, reserve);
      it = waiting_.erase(it);
    }
    publish_counts();
  }

  void start(queued_download d, std::vector<pool_member> members, bool large, std::int64_t reserve) {
    const std::uint64_t id = next_id_++;
    running_download r;
    r.reserved = reserve;
    for (const auto& m : members) {
      r.slots.push_back(key_of(m, large));
      ++slots_[r.slots.back()];
    }
    reserved_ += reserve;
    d.options.window_bytes = reserve;
    if (!d.options.shared_flood) d.options.shared_flood = gate_;
    auto done = std::move(d.done);
    std::weak_ptr<queue> weak = shared_from_this();
    // The completion holds the sink: it outlives the download even if the queue goes first.
    r.job = download_job::create(std::move(members), *d.out, std::move(d.options),
                                 [weak, id, out = d.out, done = std::move(done)](std::error_code ec,
                                                                                 download_result result) {
                                   if (auto self = weak.lock())
                                     asio::dispatch(self->ex_, [self, id] { self->finished(id); });
                                   if (done) done(ec, std::move(result));
                                 });
    auto job = r.job;
    running_.emplace(id, std::move(r));
    job->start();
  }

  void finished(std::uint64_t id) {
    auto it = running_.find(id);
    if (it == running_.end()) return;
    reserved_ -= it->second.reserved;
    for (const auto& k : it->second.slots) --slots_[k];
    running_.erase(it);
    publish([](queue_statistics& s) { ++s.finished; });
    pump();
  }

  template <class F>
  void publish(F change) {
    std::lock_guard lock(stats_mutex_);
    change(stats_);
  }

  void publish_counts() {
    publish([&](queue_statistics& s) {
      s.queued = waiting_.size();
      s.running = running_.size();
      s.reserved_bytes = reserved_;
      s.peak_running = std::max(s.peak_running, running_.size());
      s.peak_reserved_bytes = std::max(s.peak_reserved_bytes, reserved_);
    });
  }

  asio::strand<asio::any_io_executor> ex_;
  queue_options opt_;
  std::shared_ptr<shared_flood_gate> gate_;
  std::deque<queued_download> waiting_;
  std::map<std::uint64_t, running_download> running_;
  std::map<slot_key, int> slots_;
  std::int64_t reserved_ = 0;
  std::uint64_t next_id_ = 1;
  mutable std::mutex stats_mutex_;
  queue_statistics stats_;
};

}  // namespace

download_queue::~download_queue() = default;

std::shared_ptr<download_queue> download_queue::create(asio::any_io_executor ex, queue_options options) {
  return std::make_shared<queue>(std::move(ex), options);
}

}  // namespace mtproto::download

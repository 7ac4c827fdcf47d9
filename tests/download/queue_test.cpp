// download_queue end to end against mtproto-testdc: 200 small files and 3 large ones queued at
// once; sinks observe from outside how many downloads run together (per size class) and what
// their windows add up to, and every file's SHA-256 is checked.
#include <catch2/catch.hpp>

#include <mutex>

#include "download/download_support.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/download/download_queue.h"
#include "mtproto/download/error.h"

using namespace mtproto;
using namespace mtproto::test;

namespace {

/// What the sinks saw: downloads running at once, per class, and the window bytes they held.
struct concurrency {
  std::mutex m;
  int small = 0, large = 0, peak_small = 0, peak_large = 0;
  std::int64_t windows = 0, peak_windows = 0;
};

/// Hashes what it is given (no copy kept) and reports start and end to `concurrency`.
class counting_sink final : public download::sink {
 public:
  counting_sink(concurrency& c, bool large, std::int64_t window) : c_(c), large_(large), window_(window) {}

  void async_start(const download::sink_start& info, download::sink_start_handler done) override {
    {
      std::lock_guard lock(c_.m);
      (large_ ? c_.large : c_.small)++;
      c_.peak_small = std::max(c_.peak_small, c_.small);
      c_.peak_large = std::max(c_.peak_large, c_.large);
      c_.windows += window_;
      c_.peak_windows = std::max(c_.peak_windows, c_.windows);
    }
    running_ = true;
    done({}, info.first);
  }
  void async_write_at(std::int64_t, std::span<const std::uint8_t> bytes, download::sink_handler done) override {
    hash_.update(bytes);
    bytes_ += static_cast<std::int64_t>(bytes.size());
    done({});
  }
  void async_finish(download::sink_handler done) override {
    digest_ = hash_.finish();
    end();
    done({});
  }
  void fail(std::error_code) noexcept override { end(); }

  std::string sha() const { return hex(digest_); }
  std::int64_t bytes() const { return bytes_; }

 private:
  void end() {
    if (!running_) return;
    running_ = false;
    std::lock_guard lock(c_.m);
    (large_ ? c_.large : c_.small)--;
    c_.windows -= window_;
  }
  concurrency& c_;
  bool large_;
  std::int64_t window_;
  bool running_ = false;
  crypto::sha256_hasher hash_;
  std::array<std::uint8_t, 32> digest_{};
  std::int64_t bytes_ = 0;
};

constexpr std::int64_t small_size = 40 * 1024;
constexpr std::int64_t large_size = 12 << 20;
constexpr std::int64_t large_window = 4 << 20;

testdc::options queue_fixtures() {
  testdc::options opts;
  for (int i = 0; i < 200; ++i) opts.files.push_back(testdc::parse_file_spec(fmt::format("s{}.bin:{}:1", i, small_size)));
  for (int i = 0; i < 3; ++i) opts.files.push_back(testdc::parse_file_spec(fmt::format("L{}.bin:{}:1", i, large_size)));
  opts.faults.rate_per_connection = 20'000'000;  // large files take long enough to overlap
  return opts;
}

struct queue_run {
  std::vector<std::shared_ptr<counting_sink>> sinks;
  std::vector<std::error_code> results;
  download::queue_statistics stats;
};

queue_run run_queue(emulator& dc, logged_in& s, download::queue_options qo, concurrency& seen) {
  auto q = download::download_queue::create(s.io.get_executor(), qo);
  queue_run out;
  const auto& files = dc.catalog().files();
  out.results.resize(files.size());
  std::size_t done = 0;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    const bool large = f.spec.size >= qo.large_file_bytes;
    download::download_options o;
    if (large) o.window_bytes = large_window;
    // What the queue reserves: the large files' own window, one part for a small file.
    const std::int64_t window = large ? large_window : download::download_options{}.part_size;
    auto sink = std::make_shared<counting_sink>(seen, large, window);
    out.sinks.push_back(sink);
    download::queued_download d;
    d.members = {{s.c.get(), "bot", remote_of(f), {}}};
    d.out = sink;
    d.options = o;
    d.done = [&out, &done, i](std::error_code ec, download::download_result) {
      out.results[i] = ec;
      ++done;
    };
    q->push(std::move(d));
  }
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (done < files.size() && std::chrono::steady_clock::now() < deadline) s.io.run_for(20ms);
  out.stats = q->statistics();
  return out;
}

}  // namespace

TEST_CASE("queue: 200 small files and 3 large ones keep to the per-DC file limits", "[download][e2e][queue]") {
  emulator dc(queue_fixtures());
  logged_in s(dc);
  concurrency seen;
  download::queue_options qo;
  auto run = run_queue(dc, s, qo, seen);
  const auto& files = dc.catalog().files();
  for (std::size_t i = 0; i < files.size(); ++i) {
    INFO(files[i].spec.name);
    REQUIRE_FALSE(run.results[i]);
    CHECK(run.sinks[i]->bytes() == files[i].spec.size);
    CHECK(run.sinks[i]->sha() == sha_of(files[i]));
  }
  CHECK(run.stats.finished == files.size());
  // Seen from the sinks: at most 5 small and 2 large files of the account on DC 1 at once, and
  // both limits were reached (the queue really ran files side by side).
  CHECK(seen.peak_small == qo.small_files_per_account_dc);
  CHECK(seen.peak_large == qo.large_files_per_account_dc);
  CHECK(run.stats.peak_running <= 7);
}

TEST_CASE("queue: the memory budget bounds the windows of the running downloads", "[download][e2e][queue]") {
  emulator dc(queue_fixtures());
  logged_in s(dc);
  concurrency seen;
  download::queue_options qo;
  qo.max_bytes_in_flight = large_window + 2 * 1024 * 1024;  // room for one large window and some small ones
  auto run = run_queue(dc, s, qo, seen);
  for (const auto& ec : run.results) REQUIRE_FALSE(ec);
  CHECK(run.stats.peak_reserved_bytes <= qo.max_bytes_in_flight);
  CHECK(seen.peak_windows <= qo.max_bytes_in_flight);  // the same, seen from the sinks
  // One large window fits the budget, two do not: the large files ran one at a time.
  CHECK(seen.peak_large == 1);
  CHECK(run.stats.reserved_bytes == 0);
}

TEST_CASE("queue: cancel_all ends queued and running downloads with cancelled", "[download][e2e][queue]") {
  emulator dc(queue_fixtures());
  logged_in s(dc);
  auto q = download::download_queue::create(s.io.get_executor());
  std::vector<std::error_code> results;
  std::vector<std::shared_ptr<counting_sink>> sinks;
  concurrency seen;
  for (const auto& f : dc.catalog().files()) {
    auto sink = std::make_shared<counting_sink>(seen, false, 0);
    sinks.push_back(sink);
    download::queued_download d;
    d.members = {{s.c.get(), "bot", remote_of(f), {}}};
    d.out = sink;
    d.done = [&results](std::error_code ec, download::download_result) { results.push_back(ec); };
    q->push(std::move(d));
  }
  s.io.run_for(100ms);
  q->cancel_all();
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  while (results.size() < dc.catalog().files().size() && std::chrono::steady_clock::now() < deadline)
    s.io.run_for(20ms);
  REQUIRE(results.size() == dc.catalog().files().size());
  const auto cancelled = std::count(results.begin(), results.end(), download::download_errc::cancelled);
  CHECK(cancelled > 0);
  for (const auto& ec : results) CHECK((!ec || ec == download::download_errc::cancelled));
  // Nothing is left waiting or running.
  CHECK(q->statistics().queued == 0);
  CHECK(q->statistics().running == 0);
}

TEST_CASE("queue: a wait one download is told is kept by the account's other downloads", "[download][e2e][queue]") {
  testdc::options opts;
  for (int i = 0; i < 3; ++i) opts.files.push_back(testdc::parse_file_spec(fmt::format("w{}.bin:6M:1", i)));
  opts.faults.flood_every = 5;
  opts.faults.flood_seconds = 2;
  opts.faults.rate_per_connection = 4'000'000;  // requests are still due while the waits run
  const auto dir = temp_dir("queue-flood");
  opts.request_log = (dir / "requests.log").string();
  emulator dc(opts);
  logged_in s(dc);
  auto q = download::download_queue::create(s.io.get_executor());
  concurrency seen;
  std::vector<std::shared_ptr<counting_sink>> sinks;
  std::vector<std::error_code> results;
  for (const auto& f : dc.catalog().files()) {
    auto sink = std::make_shared<counting_sink>(seen, false, 0);
    sinks.push_back(sink);
    download::queued_download d;
    d.members = {{s.c.get(), "bot", remote_of(f), {}}};
    d.out = sink;
    d.done = [&results](std::error_code ec, download::download_result) { results.push_back(ec); };
    q->push(std::move(d));
  }
  const auto deadline = std::chrono::steady_clock::now() + 120s;
  while (results.size() < dc.catalog().files().size() && std::chrono::steady_clock::now() < deadline)
    s.io.run_for(20ms);
  REQUIRE(results.size() == 3);
  for (const auto& ec : results) REQUIRE_FALSE(ec);
  for (std::size_t i = 0; i < sinks.size(); ++i) CHECK(sinks[i]->sha() == sha_of(dc.catalog().files()[i]));
  CHECK(seen.peak_small == 3);  // side by side, so one's wait mattered to the others
  // From the emulator's side: after any download of the account was told to wait, none of them
  // sent a request until the wait was over.
  const auto log = read_request_log(opts.request_log);
  CHECK(std::count_if(log.begin(), log.end(), [](const auto& l) { return l.answer.starts_with("FLOOD_WAIT_"); }) > 0);
  const auto violations = wait_violations(log, 500);
  for (const auto& v : violations) UNSCOPED_INFO(v);
  CHECK(violations.empty());
  std::filesystem::remove_all(dir);
}

// async_download against mtproto-testdc in-process, each scenario in a fresh child process (so
// peak RSS is the scenario's own): throughput, the client thread's CPU per GiB, peak RSS of the
// process (client and emulator together: an upper bound for the client), requests, flood waits
// and the sessions/depth the defaults settled on. Every download's SHA-256 (hashed as it streams,
// nothing stored) is checked against the emulator's file; a mismatch prints FAILED.
//
//   download_bench            every scenario (about 2 minutes on 2 cores, Release)
//   download_bench --quick    smaller files
//
// Scenarios: unthrottled loopback at 64 MiB, 1 GiB and 4 GiB (RSS must stay flat); and the issue's
// throttled service: 5 MB/s per connection and 30 requests/s per account and DC, where the best
// fixed settings reach about min(8 x 5 MB/s, 30 x 1 MiB/s) and the defaults must find ~90% of that;
// and a per-account cap of 5 MB/s with one account and with a pool of three.
#include <sys/resource.h>

#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "mtproto/core/large_buffers.h"
#include "mtproto/client/auth.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/download/downloader.h"
#include "mtproto/testdc/rsa_keygen.h"
#include "mtproto/testdc/server.h"

using namespace mtproto;
using namespace std::chrono_literals;

namespace {

/// Hashes what it is given and keeps nothing: the download's own memory is what is measured.
class hashing_sink final : public download::sink {
 public:
  void async_start(const download::sink_start& info, download::sink_start_handler done) override { done({}, info.first); }
  void async_write_at(std::int64_t, std::span<const std::uint8_t> bytes, download::sink_handler done) override {
    hash_.update(bytes);
    done({});
  }
  void async_finish(download::sink_handler done) override { done({}); }
  void fail(std::error_code) noexcept override {}
  std::array<std::uint8_t, 32> digest() { return hash_.finish(); }

 private:
  crypto::sha256_hasher hash_;
};

struct scenario {
  const char* name;
  std::int64_t size;
  std::int64_t rate_per_connection = 0;
  std::int32_t flood_rps = 0;
  // Fixed settings instead of the adaptive defaults (0: defaults).
  int fixed_sessions = 0;
  int fixed_in_flight = 0;  // in all sessions together
  std::int64_t part_size = download::download_options{}.part_size;
  // An account pool: this many bots share the download, each capped at account_rate bytes/s.
  int accounts = 1;
  std::int64_t account_rate = 0;
};

struct outcome {
  double seconds = 0;
  double mb_per_s = 0;
  double second_half_mb_per_s = 0;  // once the controller has had half the file to adapt
  double cpu_s_per_gib = 0;
  long peak_rss_mib = 0;
  unsigned long long requests = 0, flood_waits = 0;
  int sessions = 0, in_flight = 0;
  int ok = 0;
};

outcome run_scenario(const scenario& s) {
  testdc::options opts;  // two DCs: the bot's home may be either; the file is on DC 1
  opts.files = {{"bench.bin", s.size, 1, false}};
  opts.faults.rate_per_connection = s.rate_per_connection;
  opts.faults.flood_rps = s.flood_rps;
  opts.faults.account_rate = s.account_rate;
  testdc::catalog published(opts.seed, opts.files, opts.media);
  asio::io_context server_io;
  const auto pem = testdc::generate_rsa_key();
  auto key = std::make_shared<const crypto::rsa_private_key>(crypto::rsa_private_key::from_pem(pem.private_pem));
  testdc::server srv(server_io, opts, key, pem.public_pem, published);
  srv.start();
  std::thread server_thread([&] {
    auto guard = asio::make_work_guard(server_io);
    server_io.run();
  });

  client::client_options co;
  co.api_id = 1;
  co.api_hash = "0123456789abcdef0123456789abcdef";
  co.dc_table = client::dc_table::empty();
  for (const auto& e : srv.endpoints()) co.dc_table.set(e.id, e.host, e.port);
  co.dc_table.set_rsa_keys({key->public_key()});
  asio::io_context io;
  std::vector<std::unique_ptr<client::client>> clients;
  for (int i = 0; i < s.accounts; ++i) clients.push_back(std::make_unique<client::client>(io.get_executor(), co));

  const auto& f = published.files().front();
  download::remote_file remote;
  remote.location = {1, download::location_kind::document, f.post.document.id, f.post.document.access_hash,
                     f.post.document.file_reference, ""};
  remote.size = s.size;
  download::download_options o;
  o.part_size = s.part_size;
  o.flood.auto_sleep_limit = 120s;
  if (s.fixed_sessions) {
    o.depth.initial_sessions = o.depth.max_sessions = s.fixed_sessions;
    o.depth.min_in_flight = o.depth.max_in_flight = s.fixed_in_flight;
    o.depth.initial_bytes_in_flight = static_cast<std::uint64_t>(s.fixed_in_flight * s.part_size);
  }
  // When the first half of the bytes was written: the second half's rate is the steady one.
  double half_at = 0;
  o.progress_interval = 100ms;
  o.on_progress = [&half_at, half = s.size / 2](const download::download_progress& p) {
    if (half_at == 0 && p.bytes_done >= half) half_at = p.elapsed.count();
  };
  if (std::getenv("MTPROTO_BENCH_TRACE")) {  // the controller's ramp, one line a second
    o.progress_interval = 1s;
    o.on_progress = [last = std::int64_t{0}, &half_at, half = s.size / 2](const download::download_progress& p) mutable {
      if (half_at == 0 && p.bytes_done >= half) half_at = p.elapsed.count();
      std::fprintf(stderr, "  %6.1f s  %7.1f MB/s  in flight %2d  sessions %d  floods %llu\n", p.elapsed.count(),
                   static_cast<double>(p.bytes_done - last) / 1e6, p.in_flight, p.sessions,
                   static_cast<unsigned long long>(p.flood_waits));
      last = p.bytes_done;
    };
  }
  hashing_sink out;
  outcome r;
  double cpu_before = 0;
  auto started = std::chrono::steady_clock::now();
  auto shutdown = [&] {
    for (auto& each : clients) each->shutdown();
  };
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    std::vector<download::pool_member> members;
    for (int i = 0; i < s.accounts; ++i) {
      // The emulator's own bot first; more bots are any "ID:letters" token.
      const auto token = i == 0 ? published.bot_token() : std::to_string(7000 + i) + ":bench";
      auto login = co_await client::sign_in_bot(*clients[static_cast<std::size_t>(i)], token);
      if (!login) {
        std::fprintf(stderr, "%s: login failed: %s\n", s.name, login.error().message().c_str());
        shutdown();
        co_return;
      }
      members.push_back({clients[static_cast<std::size_t>(i)].get(), "bot" + std::to_string(i), remote, {}});
    }
    cpu_before = bench::thread_cpu_seconds();
    started = std::chrono::steady_clock::now();
    auto [ec, result] = co_await download::async_download(members, out, o, asio::experimental::as_tuple(asio::use_awaitable));
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    r.ok = !ec && result.bytes == s.size;
    if (ec) std::fprintf(stderr, "%s: %s\n", s.name, ec.message().c_str());
    r.requests = result.requests;
    r.flood_waits = result.flood_waits;
    r.sessions = result.max_sessions;
    r.in_flight = result.max_in_flight;
    shutdown();
  }, asio::detached);
  io.run();
  const double cpu = bench::thread_cpu_seconds() - cpu_before;
  // Every byte checked, whatever the size: the sink hashed the stream, the emulator knows its file.
  if (r.ok && out.digest() != f.content.sha256()) {
    std::fprintf(stderr, "%s: SHA-256 of the download differs from the file's\n", s.name);
    r.ok = 0;
  }
  r.mb_per_s = static_cast<double>(s.size) / 1e6 / r.seconds;
  if (half_at > 0 && r.seconds > half_at) r.second_half_mb_per_s = static_cast<double>(s.size - s.size / 2) / 1e6 / (r.seconds - half_at);
  r.cpu_s_per_gib = cpu / (static_cast<double>(s.size) / (1 << 30));
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  r.peak_rss_mib = ru.ru_maxrss / 1024;
  asio::post(server_io, [&] {
    srv.stop();
    server_io.stop();
  });
  server_thread.join();
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  mtproto::core::keep_large_buffers_in_heap();  // as tgdl and mtproto-testdc do
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  // --only N: just scenario N (0-based), e.g. with MTPROTO_BENCH_TRACE=1 to watch it adapt.
  const int only = argc > 2 && std::strcmp(argv[1], "--only") == 0 ? std::atoi(argv[2]) : -1;
  constexpr std::int64_t mib = 1 << 20;
  const std::int64_t big = quick ? 512 * mib : 4096 * mib;
  const std::int64_t throttled = quick ? 128 * mib : 640 * mib;
  const std::int64_t pooled = quick ? 32 * mib : 64 * mib;
  const std::vector<scenario> scenarios = {
      {"loopback 64 MiB, defaults", 64 * mib},
      {"loopback 1 GiB, defaults", 1024 * mib},
      {"loopback 4 GiB, defaults", big},
      {"5 MB/s/conn + 30 req/s, defaults", throttled, 5'000'000, 30},
      // 6 sessions x 5 MB/s stay just under 30 requests/s of 1 MiB; a seventh would flood.
      {"5 MB/s/conn + 30 req/s, best fixed (6 sessions, 12 in flight, 1 MiB)", throttled, 5'000'000, 30, 6, 12, mib},
      // The documented throttle is per account: a pool multiplies it.
      {"5 MB/s per account, 1 account, defaults", pooled, 0, 0, 0, 0, mib, 1, 5'000'000},
      {"5 MB/s per account, pool of 3, defaults", pooled, 0, 0, 0, 0, mib, 3, 5'000'000},
  };
  std::printf("| scenario | MB/s | 2nd half MB/s | client CPU s/GiB | peak RSS MiB | requests | flood waits | max sessions | max in flight |\n");
  std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
  double adaptive = 0, best = 0, one_account = 0, three_accounts = 0;
  for (std::size_t i = 0; i < scenarios.size(); ++i) {
    const auto& s = scenarios[i];
    if (only >= 0 && static_cast<std::size_t>(only) != i) continue;
    const auto r = bench::isolated([&] { return run_scenario(s); });
    if (!r.ok) {
      std::printf("| %s | FAILED | | | | | | | |\n", s.name);
      continue;
    }
    std::printf("| %s | %.1f | %.1f | %.2f | %ld | %llu | %llu | %d | %d |\n", s.name, r.mb_per_s, r.second_half_mb_per_s, r.cpu_s_per_gib,
                r.peak_rss_mib, r.requests, r.flood_waits, r.sessions, r.in_flight);
    std::fflush(stdout);
    if (s.flood_rps && !s.fixed_sessions) adaptive = r.second_half_mb_per_s;
    if (s.flood_rps && s.fixed_sessions) best = r.second_half_mb_per_s;
    if (s.account_rate && s.accounts == 1) one_account = r.mb_per_s;
    if (s.account_rate && s.accounts == 3) three_accounts = r.mb_per_s;
  }
  if (one_account > 0 && three_accounts > 0)
    std::printf("\npool of 3 / 1 account under a 5 MB/s per-account cap: %.2f (3 caps: %.1f MB/s)\n",
                three_accounts / one_account, 3 * 5.0);
  if (adaptive > 0 && best > 0)
    std::printf("\ndefaults / best fixed settings, throttled, second half: %.2f (attainable ~31.5 MB/s)\n", adaptive / best);
  return 0;
}

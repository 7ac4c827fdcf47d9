// tgstream's gateway against mtproto-testdc in-process, each scenario in a fresh child process:
// 1, 10 and 100 concurrent HTTP streams of one file through the gateway, beside the same
// downloads through async_download alone (no HTTP). Per scenario: total MB/s, time to first body
// byte (median, worst), the gateway thread's CPU per GB next to the downloader alone's (the
// gateway's own cost is the difference), and peak RSS (emulator, gateway and clients together:
// an upper bound). Every stream's bytes are hashed and compared with the file; a mismatch
// prints FAILED.
//
//   tgstream_bench            1 x 256 MiB, 10 x 64 MiB, 100 x 8 MiB (Release: about a minute)
//   tgstream_bench --quick    a quarter of the bytes
#include <sys/resource.h>

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/read.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "gateway.h"
#include "http_server.h"
#include "bench_support.h"
#include "mtproto/client/auth.h"
#include "mtproto/core/large_buffers.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/download/downloader.h"
#include "mtproto/testdc/rsa_keygen.h"
#include "mtproto/testdc/server.h"
#include "request_target.h"

using namespace mtproto;
using namespace std::chrono_literals;
using asio::ip::tcp;
using steady = std::chrono::steady_clock;

namespace {

constexpr std::int64_t mib = 1 << 20;
constexpr std::int64_t part_size = 1 << 20;
constexpr std::int64_t window_bytes = 4 << 20;  // tgstream's default

struct scenario {
  const char* name;
  int streams;
  std::int64_t size;
  bool through_gateway;
};

struct outcome {
  double seconds = 0;
  double mb_per_s = 0;
  double ttfb_median_ms = 0, ttfb_max_ms = 0;
  double cpu_s_per_gb = 0;  // the thread running the client (and the gateway, when there is one)
  long peak_rss_mib = 0;
  int ok = 0;
};

class hashing_sink final : public download::sink {
 public:
  void async_start(const download::sink_start& info, download::sink_start_handler done) override { done({}, info.first); }
  void async_write_at(std::int64_t, std::span<const std::uint8_t> bytes, download::sink_handler done) override {
    if (!first) first = steady::now();
    hash.update(bytes);
    done({});
  }
  void async_finish(download::sink_handler done) override { done({}); }
  void fail(std::error_code) noexcept override {}
  crypto::sha256_hasher hash;
  std::optional<steady::time_point> first;
};

/// One HTTP stream: GET, then the body hashed as it comes.
struct stream_result {
  bool ok = false;
  double ttfb_ms = 0;
  crypto::sha256_digest digest{};
};

asio::awaitable<stream_result> http_stream(tcp::endpoint server, std::string target, std::int64_t size) {
  stream_result r;
  tcp::socket s(co_await asio::this_coro::executor);
  const auto start = steady::now();
  auto [cec] = co_await s.async_connect(server, asio::experimental::as_tuple(asio::use_awaitable));
  if (cec) co_return r;
  const std::string request = "GET " + target + " HTTP/1.1\r\nHost: bench\r\n\r\n";
  auto [wec, wn] = co_await asio::async_write(s, asio::buffer(request), asio::experimental::as_tuple(asio::use_awaitable));
  if (wec) co_return r;
  std::vector<char> buf(256 * 1024);
  std::string head;
  std::int64_t body = 0;
  bool in_body = false;
  crypto::sha256_hasher hash;
  while (body < size) {
    auto [ec, n] = co_await s.async_read_some(asio::buffer(buf), asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) co_return r;
    std::size_t at = 0;
    if (!in_body) {
      head.append(buf.data(), n);
      const auto end = head.find("\r\n\r\n");
      if (end == std::string::npos) continue;
      if (head.compare(0, 12, "HTTP/1.1 200") != 0) co_return r;
      in_body = true;
      const auto body_in_head = head.size() - (end + 4);
      at = n - body_in_head;
    }
    if (n > at) {
      if (body == 0) r.ttfb_ms = std::chrono::duration<double, std::milli>(steady::now() - start).count();
      hash.update(std::span(reinterpret_cast<const std::uint8_t*>(buf.data() + at), n - at));
      body += static_cast<std::int64_t>(n - at);
    }
  }
  r.ok = body == size;
  r.digest = hash.finish();
  co_return r;
}

outcome run_scenario(const scenario& sc) {
  testdc::options opts;
  opts.files = {{"bench.bin", sc.size, 2, false}};
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
  const auto& f = published.files().front();
  const auto expected = f.content.sha256();

  client::client_options co;
  co.api_id = 1;
  co.api_hash = "0123456789abcdef0123456789abcdef";
  co.dc_table = client::dc_table::empty();
  for (const auto& e : srv.endpoints()) co.dc_table.set(e.id, e.host, e.port);
  co.dc_table.set_rsa_keys({key->public_key()});
  co.dc_table.set_default_dc(2);
  co.max_download_sessions = 4;
  asio::io_context io;  // the client, and the gateway when there is one
  client::client c(io.get_executor(), co);
  outcome out;
  bool logged_in = false, login_done = false;
  asio::co_spawn(io, [&]() -> asio::awaitable<void> {
    logged_in = static_cast<bool>(co_await client::sign_in_bot(c, published.bot_token()));
    login_done = true;
  }, asio::detached);
  // Until the login is done only: the client's connections keep the io_context busy for good.
  while (!login_done) io.run_one();
  if (!logged_in) {
    std::fprintf(stderr, "%s: login failed\n", sc.name);
    return out;
  }

  std::vector<double> ttfb;
  int good = 0;
  double cpu = 0;
  const auto started = steady::now();
  if (sc.through_gateway) {
    tgstream::gateway_options g;
    g.secret.assign(32, 1);
    g.max_streams_per_client = 100000;
    g.rate_limit.per_second = 0;  // every stream comes from 127.0.0.1
    g.part_size = part_size;
    g.window_bytes = window_bytes;
    tgstream::gateway gw({{&c, "bot"}}, g);
    tgstream::http_server server(io.get_executor(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
                                 [&](tgstream::http_request& r, tgstream::response_writer& w) { return gw.handle(r, w); });
    server.start();
    const auto ep = server.local_endpoint();
    double cpu_start = 0;
    asio::post(io, [&] { cpu_start = bench::thread_cpu_seconds(); });
    std::thread gateway_thread([&] {
      auto guard = asio::make_work_guard(io);
      io.run();
    });
    asio::io_context clients;
    const auto link = fmt::format("https://t.me/{}/{}", published.channel().username, f.post.id);
    std::string url;
    asio::co_spawn(clients, [&]() -> asio::awaitable<void> {
      // The card first (one resolve), then every stream at once.
      tcp::socket s(co_await asio::this_coro::executor);
      co_await s.async_connect(ep, asio::use_awaitable);
      const std::string req = "GET /api/resolve?link=" + tgstream::percent_encode(link) + " HTTP/1.1\r\nHost: b\r\nConnection: close\r\n\r\n";
      co_await asio::async_write(s, asio::buffer(req), asio::use_awaitable);
      std::string text;
      std::array<char, 4096> b;
      for (;;) {
        auto [ec, n] = co_await s.async_read_some(asio::buffer(b), asio::experimental::as_tuple(asio::use_awaitable));
        text.append(b.data(), n);
        if (ec) break;
      }
      const auto at = text.find("\"download_url\":\"");
      if (at == std::string::npos) co_return;
      url = text.substr(at + 16, text.find('"', at + 16) - at - 16);
    }, asio::detached);
    clients.run();
    clients.restart();
    for (int i = 0; i < sc.streams && !url.empty(); ++i)
      asio::co_spawn(clients, http_stream(ep, url, sc.size), [&](std::exception_ptr e, stream_result r) {
        if (!e && r.ok && r.digest == expected) ++good;
        if (!e && r.ok) ttfb.push_back(r.ttfb_ms);
      });
    clients.run();
    out.seconds = std::chrono::duration<double>(steady::now() - started).count();
    std::promise<double> cpu_end;
    asio::post(io, [&] { cpu_end.set_value(bench::thread_cpu_seconds()); });
    cpu = cpu_end.get_future().get() - cpu_start;
    std::promise<void> stopped;
    asio::post(io, [&] {
      server.stop([&] {
        c.shutdown();
        stopped.set_value();
      });
    });
    stopped.get_future().get();
    io.stop();
    gateway_thread.join();
  } else {
    std::vector<std::unique_ptr<hashing_sink>> sinks;
    download::remote_file remote;
    remote.location = {2, download::location_kind::document, f.post.document.id, f.post.document.access_hash,
                       f.post.document.file_reference, ""};
    remote.size = sc.size;
    download::download_options o;
    o.part_size = part_size;
    o.window_bytes = window_bytes;
    auto gate = std::make_shared<download::shared_flood_gate>();
    o.shared_flood = gate;
    const double cpu_start = bench::thread_cpu_seconds();
    int left = sc.streams;
    for (int i = 0; i < sc.streams; ++i) {
      sinks.push_back(std::make_unique<hashing_sink>());
      auto* sink = sinks.back().get();
      download::async_download(c, remote, *sink, o, [&, sink](std::error_code ec, download::download_result r) {
        if (!ec && r.bytes == sc.size && sink->hash.finish() == expected) ++good;
        if (sink->first) ttfb.push_back(std::chrono::duration<double, std::milli>(*sink->first - started).count());
        if (--left == 0) c.shutdown();
      });
    }
    io.run();
    cpu = bench::thread_cpu_seconds() - cpu_start;
    out.seconds = std::chrono::duration<double>(steady::now() - started).count();
  }
  const double bytes = static_cast<double>(sc.size) * sc.streams;
  out.ok = good == sc.streams;
  out.mb_per_s = bytes / 1e6 / out.seconds;
  out.cpu_s_per_gb = cpu / (bytes / 1e9);
  std::sort(ttfb.begin(), ttfb.end());
  if (!ttfb.empty()) {
    out.ttfb_median_ms = ttfb[ttfb.size() / 2];
    out.ttfb_max_ms = ttfb.back();
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  out.peak_rss_mib = ru.ru_maxrss / 1024;
  asio::post(server_io, [&] {
    srv.stop();
    server_io.stop();
  });
  server_thread.join();
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  mtproto::core::keep_large_buffers_in_heap();  // as tgstream does
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  const std::int64_t scale = quick ? 4 : 1;
  struct pair {
    int streams;
    std::int64_t size;
  };
  const pair shapes[] = {{1, 256 * mib / scale}, {10, 64 * mib / scale}, {100, 8 * mib / scale}};
  std::printf("| streams x file | path | MB/s | TTFB median ms | TTFB max ms | CPU s/GB (client thread) | peak RSS MiB | gateway CPU / downloader CPU |\n");
  std::printf("|---|---|---:|---:|---:|---:|---:|---:|\n");
  for (const auto& p : shapes) {
    double alone_cpu = 0;
    for (const bool gateway : {false, true}) {
      const auto label = fmt::format("{} x {} MiB", p.streams, p.size / mib);
      const scenario s{label.c_str(), p.streams, p.size, gateway};
      const auto r = bench::isolated([&] { return run_scenario(s); });
      if (!r.ok) {
        std::printf("| %s | %s | FAILED | | | | | |\n", label.c_str(), gateway ? "gateway (HTTP)" : "downloader alone");
        continue;
      }
      std::string ratio;
      if (!gateway) alone_cpu = r.cpu_s_per_gb;
      else if (alone_cpu > 0) ratio = fmt::format("{:.2f}", r.cpu_s_per_gb / alone_cpu);
      std::printf("| %s | %s | %.1f | %.1f | %.1f | %.3f | %ld | %s |\n", label.c_str(),
                  gateway ? "gateway (HTTP)" : "downloader alone", r.mb_per_s, r.ttfb_median_ms, r.ttfb_max_ms,
                  r.cpu_s_per_gb, r.peak_rss_mib, ratio.c_str());
      std::fflush(stdout);
    }
  }
  return 0;
}

// How fast mtproto-testdc serves upload.getFile on loopback, with this library's core as the
// client (testing/include/mtproto/testdc/loopback_client.h), in one process.
//  1. One connection, one request in flight, per part size (client and server alternate).
//  2. 1, 2, 4 and 8 connections with several requests in flight each, the server on the caller's
//     thread (--threads 1) and on one thread per core, side by side: MB/s, and the server's own CPU
//     seconds per GiB (process CPU minus the client threads' CPU), so "serves faster than any
//     client can take" is a figure even when client and server share the cores.
// Prints medians of several runs.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <stdexcept>

#include <asio/post.hpp>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "mtproto/core/large_buffers.h"
#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/fn/auth/importBotAuthorization.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/testdc/loopback_client.h"
#include "mtproto/testdc/rsa_keygen.h"
#include "mtproto/testdc/server.h"

using namespace mtproto;
using namespace mtproto::testdc;

namespace {

constexpr std::int64_t file_size = 64 << 20;
constexpr int runs = 5;
constexpr int lane_runs = 3;
constexpr std::int32_t lane_part = 1 << 20;
constexpr int lane_in_flight = 4;

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double process_cpu_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto s = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  return s(u.ru_utime) + s(u.ru_stime);
}

std::vector<std::uint8_t> get_file(const published_file& f, std::int64_t offset, std::int32_t part) {
  api::upload::getFile req{};
  api::inputDocumentFileLocation loc{};
  loc.id = f.post.document.id;
  loc.access_hash = f.post.document.access_hash;
  loc.file_reference = f.post.document.file_reference;
  req.location = loc;
  req.offset = offset;
  req.limit = part;
  return tl::serialize(req);
}

/// Downloads [begin, end) of `f` keeping `in_flight` requests outstanding; returns the bytes got.
std::int64_t download(loopback_client& client, const published_file& f, std::int64_t begin, std::int64_t end,
                      std::int32_t part, int in_flight) {
  std::int64_t next = begin;
  std::int64_t got = 0;
  int outstanding = 0;
  auto send_next = [&] {
    if (next >= end) return;
    client.submit(get_file(f, next, part));
    next += part;
    ++outstanding;
  };
  for (int i = 0; i < in_flight; ++i) send_next();
  while (outstanding > 0) {
    auto [id, r] = client.next_answer();
    if (r.error) throw std::runtime_error("getFile failed: " + r.error->message);
    --outstanding;
    got += static_cast<std::int64_t>(r.result.size());
    send_next();
  }
  return got;
}

/// A server on its own io thread, with the bot logged in on `connections` clients.
struct bench_server {
  static options make_options(std::int32_t threads) {
    options o;
    o.dcs = 1;
    o.threads = threads;
    o.files = {{"bench.bin", file_size, 1, false}};
    return o;
  }
  bench_server(std::int32_t threads, const rsa_key_pem& pem)
      : opts(make_options(threads)), published(opts.seed, opts.files, opts.media) {
    key = std::make_shared<const crypto::rsa_private_key>(crypto::rsa_private_key::from_pem(pem.private_pem));
    srv = std::make_unique<server>(io, opts, key, pem.public_pem, published);
    srv->start();
    thread = std::thread([this] { io.run(); });
  }
  ~bench_server() {
    asio::post(io, [this] {
      srv->stop();
      io.stop();
    });
    thread.join();
  }
  std::unique_ptr<loopback_client> logged_in_client() {
    auto client = std::make_unique<loopback_client>(srv->endpoints()[0].port, transport::client_options{},
                                                    key->public_key());
    api::auth::importBotAuthorization login{};
    login.api_id = 1;
    login.api_hash = "x";
    login.bot_auth_token = published.bot_token();
    if (client->call(tl::serialize(login)).error) throw std::runtime_error("login failed");
    return client;
  }
  options opts;
  catalog published;
  asio::io_context io;
  std::shared_ptr<const crypto::rsa_private_key> key;
  std::unique_ptr<server> srv;
  std::thread thread;
};

struct lane_sample {
  double mb_per_s = 0;
  double server_cpu_per_gib = 0;
};

/// Every connection downloads the whole file at once, each on a client thread of its own.
lane_sample serve_many(bench_server& b, std::vector<std::unique_ptr<loopback_client>>& clients) {
  const auto& f = b.published.files()[0];
  std::vector<double> client_cpu(clients.size());
  std::vector<std::int64_t> got(clients.size());
  const double cpu_before = process_cpu_seconds();
  const auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < clients.size(); ++i)
    threads.emplace_back([&, i] {
      const double c0 = bench::thread_cpu_seconds();
      got[i] = download(*clients[i], f, 0, f.content.size(), lane_part, lane_in_flight);
      client_cpu[i] = bench::thread_cpu_seconds() - c0;
    });
  for (auto& t : threads) t.join();
  const double elapsed = seconds_since(start);
  double bytes = 0, clients_cpu = 0;
  for (std::size_t i = 0; i < clients.size(); ++i) {
    bytes += static_cast<double>(got[i]);
    clients_cpu += client_cpu[i];
  }
  const double server_cpu = std::max(0.0, process_cpu_seconds() - cpu_before - clients_cpu);
  return {bytes / 1e6 / elapsed, server_cpu / (bytes / (1 << 30))};
}

template <class T, class F>
double median_of(std::vector<T>& samples, F field) {
  std::vector<double> v;
  for (const auto& s : samples) v.push_back(field(s));
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main() {
  mtproto::core::keep_large_buffers_in_heap();  // as tgdl and mtproto-testdc do
  const auto pem = generate_rsa_key();
  {
    bench_server b(1, pem);
    auto client = b.logged_in_client();
    std::printf("mtproto-testdc upload.getFile on loopback, %lld MiB file, 1 connection, 1 request in flight, "
                "intermediate transport; median of %d runs; MB/s = 1e6 bytes/s\n\n",
                static_cast<long long>(file_size >> 20), runs);
    std::printf("| part size | MB/s (median) | vs 1 MiB parts |\n|---|---|---|\n");
    std::vector<std::pair<std::int32_t, double>> rows;
    const auto& f = b.published.files()[0];
    for (std::int32_t part : {1 << 20, 512 << 10, 128 << 10, 64 << 10}) {
      std::vector<double> samples;
      for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const auto got = download(*client, f, 0, f.content.size(), part, 1);
        samples.push_back(static_cast<double>(got) / 1e6 / seconds_since(start));
      }
      std::sort(samples.begin(), samples.end());
      rows.emplace_back(part, samples[runs / 2]);
    }
    for (const auto& [part, mbps] : rows)
      std::printf("| %d KiB | %.0f | %.2fx |\n", part >> 10, mbps, mbps / rows.front().second);
  }

  const auto cores = static_cast<std::int32_t>(std::max(1u, std::thread::hardware_concurrency()));
  std::printf("\nmtproto-testdc serving several connections at once: %lld MiB file downloaded whole by each "
              "connection, %d KiB parts, %d in flight per connection, client threads in the same process; "
              "median of %d runs. server CPU = process CPU - client threads' CPU; server MB/s per core = "
              "what one core of the server serves (1 GiB / server CPU s).\n\n",
              static_cast<long long>(file_size >> 20), lane_part >> 10, lane_in_flight, lane_runs);
  std::printf("| connections | --threads 1 MB/s | server CPU s/GiB | server MB/s per core | --threads %d MB/s | "
              "server CPU s/GiB | server MB/s per core | threads %d / 1 |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n",
              cores, cores);
  for (int connections : {1, 2, 4, 8}) {
    double mbps[2]{}, cpu[2]{};
    const std::int32_t thread_counts[2] = {1, cores};
    for (int t = 0; t < 2; ++t) {
      bench_server b(thread_counts[t], pem);
      std::vector<std::unique_ptr<loopback_client>> clients;
      for (int i = 0; i < connections; ++i) clients.push_back(b.logged_in_client());
      std::vector<lane_sample> samples;
      for (int r = 0; r < lane_runs; ++r) samples.push_back(serve_many(b, clients));
      mbps[t] = median_of(samples, [](const lane_sample& s) { return s.mb_per_s; });
      cpu[t] = median_of(samples, [](const lane_sample& s) { return s.server_cpu_per_gib; });
    }
    auto per_core = [](double cpu_per_gib) { return cpu_per_gib > 0 ? (1 << 30) / 1e6 / cpu_per_gib : 0.0; };
    std::printf("| %d | %.0f | %.2f | %.0f | %.0f | %.2f | %.0f | %.2fx |\n", connections, mbps[0], cpu[0],
                per_core(cpu[0]), mbps[1], cpu[1], per_core(cpu[1]), mbps[1] / mbps[0]);
  }
  return 0;
}

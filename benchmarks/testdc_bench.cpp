// How fast mtproto-testdc serves upload.getFile on loopback, measured with this library's core as
// the client (one connection, one request in flight, so client and server alternate on the CPU).
// Prints medians of several runs per part size, and the ratio to the 1 MiB part.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/fn/auth/importBotAuthorization.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/testdc/rsa_keygen.h"
#include "mtproto/testdc/server.h"
#include "mtproto/testdc/loopback_client.h"

using namespace mtproto;
using namespace mtproto::testdc;

namespace {

constexpr std::int64_t file_size = 64 << 20;
constexpr int runs = 5;

double download_mb_per_s(loopback_client& client, const published_file& f, std::int32_t part) {
  const auto start = std::chrono::steady_clock::now();
  std::int64_t got = 0;
  for (std::int64_t offset = 0; offset < f.content.size(); offset += part) {
    api::upload::getFile req{};
    api::inputDocumentFileLocation loc{};
    loc.id = f.post.document.id;
    loc.access_hash = f.post.document.access_hash;
    loc.file_reference = f.post.document.file_reference;
    req.location = loc;
    req.offset = offset;
    req.limit = part;
    auto r = client.call(tl::serialize(req));
    if (r.error) throw std::runtime_error("getFile failed: " + r.error->message);
    got += static_cast<std::int64_t>(r.result.size());
  }
  const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
  return static_cast<double>(got) / (1 << 20) / elapsed.count();
}

}  // namespace

int main() {
  options opts;
  opts.dcs = 1;
  opts.files = {{"bench.bin", file_size, 1, false}};
  catalog published(opts.seed, opts.files);
  asio::io_context io;
  const auto pem = generate_rsa_key();
  auto key = std::make_shared<const crypto::rsa_private_key>(crypto::rsa_private_key::from_pem(pem.private_pem));
  server srv(io, opts, key, pem.public_pem, published);
  srv.start();
  std::thread thread([&] { io.run(); });

  loopback_client client(srv.endpoints()[0].port, {}, key->public_key());
  api::auth::importBotAuthorization login{};
  login.api_id = 1;
  login.api_hash = "x";
  login.bot_auth_token = published.bot_token();
  if (client.call(tl::serialize(login)).error) return 1;

  std::printf("mtproto-testdc upload.getFile on loopback, %lld MiB file, 1 connection, 1 request in flight, "
              "intermediate transport; median of %d runs\n\n",
              static_cast<long long>(file_size >> 20), runs);
  std::printf("| part size | MB/s (median) | vs 1 MiB parts |\n|---|---|---|\n");
  std::vector<std::pair<std::int32_t, double>> rows;
  for (std::int32_t part : {1 << 20, 512 << 10, 128 << 10, 64 << 10}) {
    std::vector<double> samples;
    for (int i = 0; i < runs; ++i) samples.push_back(download_mb_per_s(client, published.files()[0], part));
    std::sort(samples.begin(), samples.end());
    rows.emplace_back(part, samples[runs / 2]);
  }
  for (const auto& [part, mbps] : rows)
    std::printf("| %d KiB | %.0f | %.2fx |\n", part >> 10, mbps, mbps / rows.front().second);

  asio::post(io, [&] {
    srv.stop();
    io.stop();
  });
  thread.join();
  return 0;
}

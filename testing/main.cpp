// mtproto-testdc: a local emulator of Telegram's data centers (see testing/README.md).
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <fmt/format.h>

#include "mtproto/core/large_buffers.h"
#include "mtproto/testdc/catalog.h"
#include "mtproto/testdc/options.h"
#include "mtproto/testdc/ready_file.h"
#include "mtproto/testdc/ready_from_catalog.h"
#include "mtproto/testdc/rsa_keygen.h"
#include "mtproto/testdc/server.h"

namespace {

constexpr int exit_usage = 2;

std::string read_text_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace mtproto::testdc;
  mtproto::core::keep_large_buffers_in_heap();  // answers are built in part-sized buffers
  std::vector<std::string_view> args(argv + 1, argv + argc);
  for (auto a : args)
    if (a == "--help" || a == "-h") {
      std::fputs(std::string(usage()).c_str(), stdout);
      return 0;
    }
  options opts;
  try {
    opts = parse_options(args);
  } catch (const std::invalid_argument& e) {
    fmt::print(stderr, "mtproto-testdc: {}\n{}", e.what(), usage());
    return exit_usage;
  }

  try {
    rsa_key_pem pem;
    if (opts.rsa_key_path.empty()) {
      pem = generate_rsa_key();
    } else {
      pem.private_pem = read_text_file(opts.rsa_key_path);
      pem.public_pem = public_pem_of(pem.private_pem);
    }
    auto rsa_key = std::make_shared<const mtproto::crypto::rsa_private_key>(
        mtproto::crypto::rsa_private_key::from_pem(pem.private_pem));
    catalog published(opts.seed, opts.files, opts.media);

    asio::io_context io;
    server srv(io, opts, rsa_key, pem.public_pem, published);
    srv.start();

    auto stop = [&] {
      srv.stop();
      io.stop();
    };
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](const std::error_code& ec, int) {
      if (!ec) stop();
    });
    asio::steady_timer deadline(io);
    if (opts.max_seconds > 0) {
      deadline.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
          std::chrono::duration<double>(opts.max_seconds)));
      deadline.async_wait([&](const std::error_code& ec) {
        if (!ec) {
          fmt::print(stderr, "mtproto-testdc: --max-seconds reached\n");
          stop();
        }
      });
    }

    // File digests can take seconds for multi-GB fixtures: computed off the I/O thread, which
    // already serves; the ready file is written once they are known.
    ready_info ready;
    ready.dcs = srv.published_endpoints();
    ready.rsa_public_key_pem = pem.public_pem;
    ready.rsa_fingerprint = rsa_key->public_key().fingerprint();
    ready.describe_messages = opts.ready_messages;
    std::vector<const file_content*> contents;
    for (const auto& f : published.files()) contents.push_back(&f.content);
    int exit_code = 0;
    std::jthread hasher([&, contents](std::stop_token) {
      std::vector<sha256_bytes> digests;
      try {
        for (const auto* c : contents) digests.push_back(c->sha256());
      } catch (const std::exception& e) {  // a --media file that became unreadable
        asio::post(io, [&, what = std::string(e.what())] {
          fmt::print(stderr, "mtproto-testdc: {}\n", what);
          exit_code = 1;
          stop();
        });
        return;
      }
      asio::post(io, [&, digests = std::move(digests)]() mutable {
        ready.file_sha256 = std::move(digests);
        if (!opts.ready_file.empty()) write_ready_file(opts.ready_file, make_ready_file(ready, published));
        std::string ports;
        for (const auto& dc : srv.endpoints()) ports += fmt::format(" DC{}={}:{}", dc.id, dc.host, dc.port);
        if (srv.cdn_endpoint()) ports += fmt::format(" CDN{}={}", srv.cdn_endpoint()->id, srv.cdn_endpoint()->port);
        fmt::print(stderr, "mtproto-testdc: ready;{} fingerprint 0x{:016x}\n", ports,
                   static_cast<std::uint64_t>(ready.rsa_fingerprint));
        // The ready file's keys are fixed by the issue; whoever passed the secret knows it, and
        // stdout carries it for scripts that only see this process.
        if (opts.proxy_secret) {
          fmt::print("proxy_secret={}\n", proxy_secret_hex(*opts.proxy_secret));
          std::fflush(stdout);
        }
      });
    });
    io.run();
    const auto& c = srv.counters();
    fmt::print(stderr, "mtproto-testdc: stopped after {} connections, {} handshakes, {} requests, {} bytes sent\n",
               c.connections, c.handshakes, c.requests, c.bytes_sent);
    if (!opts.ready_file.empty()) std::remove(opts.ready_file.c_str());
    return exit_code;
  } catch (const std::exception& e) {
    fmt::print(stderr, "mtproto-testdc: {}\n", e.what());
    return 1;
  }
}

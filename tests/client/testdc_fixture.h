// mtproto-testdc in-process for the client's end-to-end tests: the emulator on its own
// io_context thread, client options pointing at it, and a bounded way to run a coroutine.
#pragma once

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <asio/use_future.hpp>
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>

#include "mtproto/client/client.h"
#include "mtproto/testdc/catalog.h"
#include "mtproto/testdc/rsa_keygen.h"
#include "mtproto/testdc/server.h"

namespace mtproto::test {

using namespace std::chrono_literals;

/// One RSA key for the whole test run (generation takes a moment).
inline const testdc::rsa_key_pem& shared_key() {
  static const testdc::rsa_key_pem pem = testdc::generate_rsa_key();
  return pem;
}

/// mtproto-testdc on its own io_context thread.
class emulator {
 public:
  explicit emulator(testdc::options opts = {}) : opts_(std::move(opts)) {
    if (opts_.files.empty()) opts_.files = {testdc::parse_file_spec("a.bin:1300K:1"), testdc::parse_file_spec("b.bin:700K:2")};
    key_ = std::make_shared<const crypto::rsa_private_key>(crypto::rsa_private_key::from_pem(shared_key().private_pem));
    catalog_ = std::make_unique<testdc::catalog>(opts_.seed, opts_.files, opts_.media);
    server_ = std::make_unique<testdc::server>(io_, opts_, key_, shared_key().public_pem, *catalog_);
    server_->start();
    thread_ = std::thread([this] {
      auto guard = asio::make_work_guard(io_);
      io_.run();
    });
  }
  ~emulator() { stop(); }
  void stop() {
    if (!thread_.joinable()) return;
    asio::post(io_, [this] {
      server_->stop();
      io_.stop();
    });
    thread_.join();
  }
  client::client_options client_options() const {
    client::client_options o;
    o.api_id = 12345;
    o.api_hash = "0123456789abcdef0123456789abcdef";
    o.dc_table = client::dc_table::empty();
    // As help.getConfig lists them (with --refusing-address, a dead address before each DC's own).
    for (const auto& e : server_->published_endpoints()) {
      client::dc_endpoint d;
      d.host = e.host;
      d.port = e.port;
      o.dc_table.add(e.id, d);
    }
    o.dc_table.set_rsa_keys({key_->public_key()});
    o.call_timeout = 20s;
    backoff_policy_quick(o);
    // MTPROTO_TEST_LOG=1: the client's log on stderr, to see why a test failed.
    if (std::getenv("MTPROTO_TEST_LOG")) o.log = client::logger(client::stderr_sink(), client::log_level::debug);
    return o;
  }
  static void backoff_policy_quick(client::client_options& o) {
    client::backoff_policy quick;
    quick.initial_delay = 20ms;
    quick.max_delay = 200ms;
    quick.max_failures = 8;
    o.reconnect = client::make_retry_policy(quick);
  }
  testdc::catalog& catalog() { return *catalog_; }
  const std::vector<testdc::dc_endpoint>& endpoints() const { return server_->endpoints(); }
  /// The emulator forgets every auth key (it answers -404 to them from now on).
  void forget_keys() {
    std::promise<void> p;
    asio::post(io_, [&] {
      server_->forget_keys();
      p.set_value();
    });
    p.get_future().get();
  }
  std::int32_t last_announced_layer() {
    std::promise<std::int32_t> p;
    asio::post(io_, [&] { p.set_value(server_->handler().last_announced_layer()); });
    return p.get_future().get();
  }
  /// The file reference the emulator accepts now for document `id` (empty when unknown).
  std::vector<std::uint8_t> current_reference(std::int64_t id) {
    std::promise<std::vector<std::uint8_t>> p;
    asio::post(io_, [&] {
      const auto* f = catalog_->find_document(id);
      p.set_value(f ? f->post.document.file_reference : std::vector<std::uint8_t>{});
    });
    return p.get_future().get();
  }
  std::uint64_t handshakes() { return counters().handshakes; }
  testdc::server_counters counters() {
    std::promise<testdc::server_counters> p;
    asio::post(io_, [&] { p.set_value(server_->counters()); });
    return p.get_future().get();
  }

 private:
  testdc::options opts_;
  asio::io_context io_;
  std::shared_ptr<const crypto::rsa_private_key> key_;
  std::unique_ptr<testdc::catalog> catalog_;
  std::unique_ptr<testdc::server> server_;
  std::thread thread_;
};

/// Runs a coroutine on a fresh io_context to completion (bounded).
template <class T>
T run(asio::io_context& io, asio::awaitable<T> a) {
  // An io_context that ran out of work (every connection closed) is stopped until restarted.
  if (io.stopped()) io.restart();
  auto f = asio::co_spawn(io, std::move(a), asio::use_future);
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (f.wait_for(0ms) != std::future_status::ready) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("test coroutine did not finish");
    io.run_for(5ms);
  }
  return f.get();
}

inline std::string sha_of(const testdc::published_file& f) {
  std::string hex;
  for (auto b : f.content.sha256()) hex += fmt::format("{:02x}", b);
  return hex;
}

}  // namespace mtproto::test

// mtproto-testdc's network side: one TCP listener per emulated DC (plus the CDN DC when a file
// is served through one), each connection driven by a coroutine on the caller's io_context or,
// with options::threads > 1, on one of the server's own I/O threads. Every
// connection auto-detects the client's transport, runs the auth-key handshake for plain messages
// and the encrypted session for the rest, and hands requests to the api_handler.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <asio/io_context.hpp>

#include "mtproto/crypto/rsa.h"
#include "mtproto/testdc/api_handler.h"
#include "mtproto/testdc/catalog.h"
#include "mtproto/testdc/key_store.h"
#include "mtproto/testdc/model.h"
#include "mtproto/testdc/options.h"

namespace mtproto::testdc {

struct server_counters {
  std::uint64_t connections = 0;
  std::uint64_t handshakes = 0;
  std::uint64_t requests = 0;
  std::uint64_t bytes_sent = 0;
  /// Connections answered -429 for --connect-rate.
  std::uint64_t refused_connections = 0;
};

class server {
 public:
  /// Lowest and highest port tried for --port-base 0 (below 32768: gram.js stores ports as int16).
  static constexpr std::uint16_t auto_port_min = 20000;
  static constexpr std::uint16_t auto_port_max = 32767;
  static constexpr std::size_t max_connections = 1024;

  server(asio::io_context& io, const options& opts, std::shared_ptr<const crypto::rsa_private_key> rsa_key,
         std::string rsa_public_pem, catalog& published);
  ~server();
  server(const server&) = delete;
  server& operator=(const server&) = delete;

  /// Binds every listener and starts accepting; throws std::system_error when a port is taken.
  void start();
  /// Closes the listeners and every open connection.
  void stop();
  /// Forgets every auth key and session, as a DC that lost its key store: the next packet on an
  /// old key is answered with transport error -404 (tests of the client's re-keying).
  void forget_keys();

  /// The regular DCs, by id (DC n at index n - 1), and the CDN DC if any.
  const std::vector<dc_endpoint>& endpoints() const noexcept;
  /// What help.getConfig and the ready file list: endpoints(), each after an address that refuses
  /// connections with --refusing-address.
  const std::vector<dc_endpoint>& published_endpoints() const noexcept;
  const std::optional<dc_endpoint>& cdn_endpoint() const noexcept;
  /// A snapshot (connections on other threads keep counting).
  server_counters counters() const noexcept;
  api_handler& handler() noexcept;

  /// Shared by the listeners and connections (defined in src/; opaque to users).
  struct state;

 private:
  std::unique_ptr<state> state_;
};

}  // namespace mtproto::testdc

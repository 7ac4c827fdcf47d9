// mtproto-testdc on loopback sockets in the test process, on its own I/O thread: what the end to
// end tests talk to with loopback_client.
#pragma once

#include <memory>
#include <thread>

#include <asio/post.hpp>

#include "mtproto/testdc/catalog.h"
#include "mtproto/testdc/rsa_keygen.h"
#include "mtproto/testdc/server.h"

namespace mtproto::testdc::test {

struct running_server {
  explicit running_server(options o) : opts(std::move(o)), published(opts.seed, opts.files, opts.media) {
    const auto pem = generate_rsa_key();
    key = std::make_shared<const crypto::rsa_private_key>(crypto::rsa_private_key::from_pem(pem.private_pem));
    srv = std::make_unique<server>(io, opts, key, pem.public_pem, published);
    srv->start();
    thread = std::thread([this] { io.run(); });
  }
  ~running_server() {
    asio::post(io, [this] {
      srv->stop();
      io.stop();
    });
    thread.join();
  }
  std::uint16_t port(std::int32_t dc) const { return srv->endpoints().at(static_cast<std::size_t>(dc - 1)).port; }

  options opts;
  catalog published;
  asio::io_context io;
  std::shared_ptr<const crypto::rsa_private_key> key;
  std::unique_ptr<server> srv;
  std::thread thread;
};

}  // namespace mtproto::testdc::test

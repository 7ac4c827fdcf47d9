// What the listeners and connections of one mtproto-testdc share (internal).
#pragma once

#include <chrono>
#include <list>
#include <map>
#include <memory>
#include <optional>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "mtproto/session/server_session.h"
#include "mtproto/testdc/server.h"

namespace mtproto::testdc {

struct server::state {
  asio::io_context& io;
  options opts;
  std::shared_ptr<const crypto::rsa_private_key> rsa_key;
  std::string rsa_public_pem;
  /// The CDN DC's handshake key (not the regular DCs'); null without CDN files.
  std::shared_ptr<const crypto::rsa_private_key> cdn_rsa_key;
  catalog& published;
  key_store keys;
  api_handler handler;
  std::vector<dc_endpoint> dcs;
  /// What help.getConfig and the ready file list: dcs, each after a refusing address with
  /// --refusing-address.
  std::vector<dc_endpoint> published_dcs;
  std::optional<dc_endpoint> cdn;
  std::vector<std::pair<std::int32_t, std::unique_ptr<asio::ip::tcp::acceptor>>> acceptors;
  /// Open sockets, so stop() can close them (connections remove themselves when they end).
  std::list<asio::ip::tcp::socket*> sockets;
  server_counters counters;
  /// Sessions by (auth_key_id, session_id). They outlive connections, as on Telegram: a client that
  /// reconnects finds its answered requests (no re-run) and gets no new_session_created.
  std::map<std::pair<std::int64_t, std::int64_t>, std::unique_ptr<session::server_session>> sessions;
  /// --account-rate: when each account's shared bandwidth is next free.
  std::map<std::int64_t, std::chrono::steady_clock::time_point> account_free_at;
  /// --connect-rate: connections per client address in the current one-second window.
  struct connect_window {
    std::chrono::steady_clock::time_point start;
    std::int32_t count = 0;
  };
  std::map<asio::ip::address, connect_window> connects;
  /// RPC answers sent by the whole server (--drop-every).
  std::uint64_t answers = 0;
  bool stopped = false;

  state(asio::io_context& io_, const options& o, std::shared_ptr<const crypto::rsa_private_key> key, std::string pem,
        catalog& c);
};

/// Serves one accepted connection to DC `dc_id` until the peer leaves, a fault closes it, or the
/// server stops. A `refused` connection (over --connect-rate) gets transport error -429 for its
/// first frame and is closed.
asio::awaitable<void> serve_connection(server::state& s, asio::ip::tcp::socket socket, std::int32_t dc_id,
                                       bool refused);

/// --connect-rate: whether a new connection from `peer` is one too many this second.
bool over_connect_rate(server::state& s, const asio::ip::address& peer);

}  // namespace mtproto::testdc

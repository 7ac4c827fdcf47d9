// What the listeners and connections of one mtproto-testdc share (internal).
#pragma once

#include <atomic>
#include <chrono>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>

#include "mtproto/session/server_session.h"
#include "mtproto/testdc/server.h"

namespace mtproto::testdc {

/// Where connections run: the caller's io_context (--threads 1) or one of the server's own threads.
/// A lane's socket list is touched only on that lane's thread.
struct io_lane {
  explicit io_lane(asio::io_context& c) : io(c) {}
  asio::io_context& io;
  /// Open sockets, so stop() can close them (connections remove themselves when they end).
  std::list<asio::ip::tcp::socket*> sockets;
};

/// A session and the lock that lets two connections on different threads share it (MTProto allows
/// one session over several connections).
struct session_slot {
  template <class... Args>
  explicit session_slot(Args&&... args) : session(std::forward<Args>(args)...) {}
  std::mutex lock;
  session::server_session session;
};

/// server_counters, updated from every lane without a lock.
struct shared_counters {
  std::atomic<std::uint64_t> connections{0}, handshakes{0}, requests{0}, bytes_sent{0}, refused_connections{0};
};

struct server::state {
  asio::io_context& io;
  options opts;
  std::shared_ptr<const crypto::rsa_private_key> rsa_key;
  std::string rsa_public_pem;
  /// The CDN DC's handshake key (not the regular DCs'); null without CDN files.
  std::shared_ptr<const crypto::rsa_private_key> cdn_rsa_key;
  catalog& published;
  /// Guards keys, sessions (the map, not each session), handler, account_free_at and answers:
  /// what connections on different lanes share. Never held while sealing or writing answers; when
  /// both are needed, a session_slot's lock is taken first.
  std::mutex shared;
  key_store keys;
  api_handler handler;
  std::vector<dc_endpoint> dcs;
  /// What help.getConfig and the ready file list: dcs, each after a refusing address with
  /// --refusing-address.
  std::vector<dc_endpoint> published_dcs;
  std::optional<dc_endpoint> cdn;
  std::vector<std::pair<std::int32_t, std::unique_ptr<asio::ip::tcp::acceptor>>> acceptors;
  shared_counters counters;
  /// Sessions by (auth_key_id, session_id). They outlive connections, as on Telegram: a client that
  /// reconnects finds its answered requests (no re-run) and gets no new_session_created.
  std::map<std::pair<std::int64_t, std::int64_t>, std::shared_ptr<session_slot>> sessions;
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
  std::atomic<bool> stopped{false};
  /// Connections currently open on every lane (bounded by server::max_connections).
  std::atomic<std::size_t> open_connections{0};

  /// With --threads N > 1: N contexts of the server's own, each run by one thread; the accept loops
  /// stay on `io` and hand connections out in turn. Declared last: stopped and joined first.
  std::vector<std::unique_ptr<asio::io_context>> own_ios;
  std::vector<std::unique_ptr<io_lane>> lanes;
  std::size_t next_lane = 0;
  std::vector<std::thread> threads;

  state(asio::io_context& io_, const options& o, std::shared_ptr<const crypto::rsa_private_key> key, std::string pem,
        catalog& c);
  ~state();
  /// Starts the lanes' threads (once, from server::start).
  void start_lanes();
};

/// Serves one accepted connection to DC `dc_id` until the peer leaves, a fault closes it, or the
/// server stops. A `refused` connection (over --connect-rate) gets transport error -429 for its
/// first frame and is closed.
asio::awaitable<void> serve_connection(server::state& s, io_lane& lane, asio::ip::tcp::socket socket,
                                       std::int32_t dc_id, bool refused);

/// --connect-rate: whether a new connection from `peer` is one too many this second.
bool over_connect_rate(server::state& s, const asio::ip::address& peer);

}  // namespace mtproto::testdc

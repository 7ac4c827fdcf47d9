#include "mtproto/testdc/server.h"

#include <algorithm>
#include <random>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "mtproto/crypto/random.h"
#include "mtproto/testdc/rsa_keygen.h"
#include "server_state.h"

namespace mtproto::testdc {
namespace {

using asio::ip::tcp;

constexpr int auto_port_attempts = 200;

bool any_cdn_file(const options& o) {
  for (const auto& f : o.files)
    if (f.cdn) return true;
  return false;
}

std::unique_ptr<tcp::acceptor> listen_on(asio::io_context& io, const std::string& host, std::uint16_t port) {
  auto acceptor = std::make_unique<tcp::acceptor>(io);
  const tcp::endpoint endpoint(asio::ip::make_address(host), port);
  acceptor->open(endpoint.protocol());
  acceptor->set_option(tcp::acceptor::reuse_address(true));
  acceptor->bind(endpoint);
  acceptor->listen();
  return acceptor;
}

/// A free port in [auto_port_min, auto_port_max], tried in random order.
std::unique_ptr<tcp::acceptor> listen_on_free_port(asio::io_context& io, const std::string& host, std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(server::auto_port_min, server::auto_port_max);
  std::error_code last;
  for (int i = 0; i < auto_port_attempts; ++i) {
    try {
      return listen_on(io, host, static_cast<std::uint16_t>(pick(rng)));
    } catch (const std::system_error& e) {
      last = e.code();
    }
  }
  throw std::system_error(last, "no free port below 32768");
}

asio::awaitable<void> accept_loop(server::state& s, tcp::acceptor& acceptor, std::int32_t dc_id) {
  for (;;) {
    // Connections go to the lanes in turn; the socket belongs to its lane's context from the start.
    io_lane& lane = *s.lanes[s.next_lane++ % s.lanes.size()];
    tcp::socket socket(lane.io);
    std::error_code ec;
    co_await acceptor.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (s.stopped || ec == asio::error::operation_aborted) co_return;
      continue;  // e.g. EMFILE: keep serving the connections we have
    }
    if (s.open_connections >= server::max_connections) continue;  // closed by the destructor
    std::error_code no_peer;
    const auto peer = socket.remote_endpoint(no_peer);
    const bool refused = !no_peer && over_connect_rate(s, peer.address());
    asio::co_spawn(lane.io, serve_connection(s, lane, std::move(socket), dc_id, refused), asio::detached);
  }
}

}  // namespace

/// The CDN DC's own key pair (Telegram's CDN DCs have their own, from help.getCdnConfig): made
/// once per process, only when some file is on the CDN.
static const rsa_key_pem& cdn_key_pair() {
  static const rsa_key_pem pair = generate_rsa_key();
  return pair;
}

server::state::state(asio::io_context& io_, const options& o, std::shared_ptr<const crypto::rsa_private_key> key,
                     std::string pem, catalog& c)
    : io(io_),
      opts(o),
      rsa_key(std::move(key)),
      rsa_public_pem(std::move(pem)),
      cdn_rsa_key(any_cdn_file(o) ? std::make_shared<const crypto::rsa_private_key>(
                                        crypto::rsa_private_key::from_pem(cdn_key_pair().private_pem))
                                  : nullptr),
      published(c),
      handler(c,
              handler_config{{}, std::nullopt, cdn_rsa_key ? cdn_key_pair().public_pem : std::string(), o.faults,
                             o.user_password, o.request_log},
              crypto::secure_random) {
  const auto threads = std::max(1, o.threads);
  if (threads == 1) {
    lanes.push_back(std::make_unique<io_lane>(io));
    return;
  }
  for (int i = 0; i < threads; ++i) {
    own_ios.push_back(std::make_unique<asio::io_context>(1));
    lanes.push_back(std::make_unique<io_lane>(*own_ios.back()));
  }
}

void server::state::start_lanes() {
  for (auto& own : own_ios)
    threads.emplace_back([ctx = own.get()] {
      auto work = asio::make_work_guard(*ctx);
      ctx->run();
    });
}

server::state::~state() {
  // Connections on the server's own threads end with their contexts: stop them, then wait.
  for (auto& own : own_ios) own->stop();
  for (auto& t : threads) t.join();
}

server::server(asio::io_context& io, const options& opts, std::shared_ptr<const crypto::rsa_private_key> rsa_key,
               std::string rsa_public_pem, catalog& published)
    : state_(std::make_unique<state>(io, opts, std::move(rsa_key), std::move(rsa_public_pem), published)) {}

server::~server() = default;

void server::start() {
  auto& s = *state_;
  std::random_device seed;
  std::mt19937 rng(seed());
  auto open = [&](std::int32_t id, std::uint16_t port) {
    auto acceptor = s.opts.port_base == 0 ? listen_on_free_port(s.io, s.opts.host, rng) : listen_on(s.io, s.opts.host, port);
    const dc_endpoint endpoint{id, s.opts.host, acceptor->local_endpoint().port(), id == cdn_dc_id};
    s.acceptors.emplace_back(id, std::move(acceptor));
    return endpoint;
  };
  for (std::int32_t dc = 1; dc <= s.opts.dcs; ++dc)
    s.dcs.push_back(open(dc, static_cast<std::uint16_t>(s.opts.port_base + dc - 1)));
  if (any_cdn_file(s.opts)) s.cdn = open(cdn_dc_id, static_cast<std::uint16_t>(s.opts.port_base + s.opts.dcs));
  s.published_dcs.clear();
  for (const auto& dc : s.dcs) {
    if (s.opts.faults.refusing_address) {
      // A port that was free a moment ago and is closed again: connecting there is refused.
      auto closed = listen_on_free_port(s.io, s.opts.host, rng);
      const auto port = closed->local_endpoint().port();
      closed.reset();
      s.published_dcs.push_back({dc.id, s.opts.host, port, false});
    }
    s.published_dcs.push_back(dc);
  }
  s.handler.set_endpoints(s.published_dcs, s.cdn);
  for (auto& [id, acceptor] : s.acceptors) asio::co_spawn(s.io, accept_loop(s, *acceptor, id), asio::detached);
  s.start_lanes();
}

void server::stop() {
  auto& s = *state_;
  s.stopped = true;
  std::error_code ignored;
  for (auto& [id, acceptor] : s.acceptors) acceptor->close(ignored);
  for (auto& lane : s.lanes) {
    auto close_all = [l = lane.get()] {
      std::error_code ignored_here;
      for (auto* socket : l->sockets) socket->close(ignored_here);
    };
    // A lane's sockets are closed on its own thread (Asio sockets are not thread-safe).
    if (&lane->io == &s.io) close_all();
    else asio::post(lane->io, close_all);
  }
}

void server::forget_keys() {
  std::lock_guard lock(state_->shared);
  state_->keys = key_store{};
  state_->sessions.clear();
}

const std::vector<dc_endpoint>& server::endpoints() const noexcept { return state_->dcs; }
const std::vector<dc_endpoint>& server::published_endpoints() const noexcept { return state_->published_dcs; }
const std::optional<dc_endpoint>& server::cdn_endpoint() const noexcept { return state_->cdn; }
server_counters server::counters() const noexcept {
  const auto& c = state_->counters;
  return {c.connections.load(), c.handshakes.load(), c.requests.load(), c.bytes_sent.load(),
          c.refused_connections.load()};
}
api_handler& server::handler() noexcept { return state_->handler; }

}  // namespace mtproto::testdc

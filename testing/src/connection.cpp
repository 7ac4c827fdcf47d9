// One client connection: transport detection, the auth-key handshake, encrypted sessions (one per
// auth key used on the connection), and the fault injection that acts on connections
// (--drop-every, --latency-ms, --rate-per-connection, --account-rate, --connect-rate).
#include <algorithm>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <optional>

#include <asio/buffer.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <fmt/format.h>

#include "mtproto/crypto/random.h"
#include "mtproto/handshake/server_handshake.h"
#include "mtproto/session/plain_message.h"
#include "mtproto/session/server_session.h"
#include "mtproto/transport/stream_codec.h"
#include "server_state.h"

namespace mtproto::testdc {
namespace {

using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

/// Largest frame a client may send: requests are small (uploads are not emulated).
constexpr std::size_t max_client_frame = 2u << 20;
constexpr std::size_t read_chunk = 64 * 1024;
/// Transport error for an unknown auth key, as Telegram sends it.
constexpr std::int32_t transport_error_no_key = -404;
/// Transport error for too many connections (--connect-rate).
constexpr std::int32_t transport_error_flood = -429;
/// Packets that fail to decrypt before the connection is closed (a client with a wrong key).
constexpr int max_bad_packets = 16;
/// Answers queued on one connection before it stops reading requests.
constexpr std::size_t max_queued_answer_bytes = 64u << 20;

void secure_random_source(std::span<std::uint8_t> out) { crypto::secure_random(out); }

std::int32_t unix_seconds(core::clock::time_point t) {
  return static_cast<std::int32_t>(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

/// Sessions kept across connections before the oldest are forgotten.
constexpr std::size_t max_sessions = 4096;

/// Bytes to write: a sealed frame inside the buffer it was built in (no copy to trim head room).
struct wire_bytes {
  std::vector<std::uint8_t> buffer;
  std::size_t offset = 0;
  std::size_t size = 0;
  explicit wire_bytes(std::vector<std::uint8_t> all) : buffer(std::move(all)), size(buffer.size()) {}
  wire_bytes(std::vector<std::uint8_t> b, std::size_t off, std::size_t n) : buffer(std::move(b)), offset(off), size(n) {}
};

class connection {
 public:
  connection(server::state& s, std::int32_t dc_id, bool refused)
      : s_(s),
        dc_id_(dc_id),
        refused_(refused),
        codec_(transport::stream_codec::server(
            transport::server_options{max_client_frame, s.opts.proxy_secret, !s.opts.proxy_secret},
            secure_random_source)) {}

  /// Reads the frames in the buffer; returns false when the connection must close after writing.
  /// The answers of every frame read are sealed together at the end (several AES chains at once).
  bool process(std::vector<wire_bytes>& out) {
    bool open = true;
    while (open) {
      auto ev = codec_.next();
      if (!ev) break;
      auto* frame = std::get_if<transport::frame_received>(&*ev);
      if (!frame) continue;  // clients send no quick acks or transport errors
      open = on_frame(frame->payload, out);
    }
    flush(out);
    return open && !codec_.error();
  }

  transport::stream_codec& codec() noexcept { return codec_; }
  /// The user logged in on the key of the latest request (0: none yet). Read by the writer on the
  /// same lane, so it needs no lock.
  std::int64_t account() const noexcept { return account_; }
  bool drop_after_write() const noexcept { return drop_; }

 private:
  /// Behind --proxy-secret the listener is an MTProxy: the obfuscated header names the DC (negative
  /// for media), and the connection serves that DC whichever port it came in on.
  void route_by_header() {
    routed_ = true;
    const auto info = codec_.info();
    if (!s_.opts.proxy_secret || !info || !info->obfuscated || info->dc_id == 0) return;
    const std::int32_t wanted = info->dc_id < 0 ? -info->dc_id : info->dc_id;
    const bool known = std::any_of(s_.dcs.begin(), s_.dcs.end(), [&](const dc_endpoint& d) { return d.id == wanted; }) ||
                       (s_.cdn && s_.cdn->id == wanted);
    if (known) dc_id_ = wanted;
  }

  bool on_frame(std::span<std::uint8_t> payload, std::vector<wire_bytes>& out) {
    if (!routed_) route_by_header();
    if (refused_) {
      // Too many connections from this address: refused the way Telegram does, in its framing.
      out.emplace_back(codec_.encode_transport_error(transport_error_flood));
      return false;
    }
    if (payload.size() < 8) return false;
    std::int64_t auth_key_id = 0;
    for (std::size_t i = 0; i < 8; ++i) auth_key_id |= static_cast<std::int64_t>(payload[i]) << (8 * i);
    const auto now = core::clock::now();
    if (auth_key_id == 0) return on_plain(payload, now, out);

    // The key is copied out under the lock: another lane may add keys (and drop old ones) meanwhile.
    std::optional<core::auth_key> key;
    std::int64_t salt = 0;
    {
      std::lock_guard lock(s_.shared);
      const key_record* k = s_.keys.find(dc_id_, auth_key_id);
      if (k && !(k->expires_at && unix_seconds(now) > *k->expires_at)) {  // not an expired temp key
        key = k->key;
        salt = k->salt;
      }
    }
    if (!key) {
      flush(out);  // what earlier frames were answered goes first
      out.emplace_back(codec_.encode_transport_error(transport_error_no_key));
      return false;
    }
    session::opened_packet opened;
    if (session::open_packet(payload, *key, crypto::direction::client_to_server, opened)) {
      return ++bad_packets_ <= max_bad_packets;
    }
    const std::pair id{auth_key_id, opened.header.session_id};
    std::shared_ptr<session_slot> slot;
    {
      std::lock_guard lock(s_.shared);
      auto it = s_.sessions.find(id);
      if (it == s_.sessions.end()) {
        if (s_.sessions.size() >= max_sessions) s_.sessions.erase(s_.sessions.begin());
        it = s_.sessions.emplace(id, std::make_shared<session_slot>(*key, salt, secure_random_source)).first;
      }
      slot = it->second;
    }
    std::lock_guard session_lock(slot->lock);
    auto& session = slot->session;
    events_.clear();
    session.feed_opened(opened, now, events_);
    for (const auto& ev : events_) {
      if (const auto* req = std::get_if<session::incoming_request>(&ev)) {
        ++s_.counters.requests;
        std::optional<rpc_answer> answer;
        {
          std::lock_guard lock(s_.shared);
          // The key may have been dropped by the store meanwhile; look it up per request.
          key_record* k = s_.keys.find(dc_id_, auth_key_id);
          if (!k) return false;
          request_context ctx{dc_id_,         *k,         std::chrono::steady_clock::now(), unix_seconds(now),
                              id.second,      req->msg_id, &s_.keys};
          answer = s_.handler.handle(ctx, req->body);
          if (k->user) account_ = k->user->id;
          const auto every = s_.opts.faults.drop_every;
          if (every > 0 && ++s_.answers % static_cast<std::uint64_t>(every) == 0) drop_ = true;
        }
        if (answer->is_error()) session.reply_error(req->msg_id, answer->error_code, answer->error_message);
        else session.reply(req->msg_id, answer->result);
        for (auto& update : answer->pushes) session.push(std::move(update));
      } else if (std::holds_alternative<session::failure_event>(ev)) {
        if (++bad_packets_ > max_bad_packets) return false;
      }
      // disconnect_after: gram.js sends 60000 "seconds" meant as milliseconds; not acted on.
    }
    if (std::find(touched_.begin(), touched_.end(), slot) == touched_.end()) touched_.push_back(slot);
    return true;
  }

  /// Seals what the sessions fed since the last flush have to send.
  void flush(std::vector<wire_bytes>& out) {
    for (auto& slot : touched_) {
      std::lock_guard session_lock(slot->lock);
      for (auto& packet : slot->session.finalize_all(core::clock::now(), transport::stream_codec::max_header_size))
        out.push_back(seal(std::move(packet.buffer), packet.head_room));
    }
    touched_.clear();
  }

  bool on_plain(std::span<std::uint8_t> payload, core::clock::time_point now,
                std::vector<wire_bytes>& out) {
    session::plain_message message;
    if (session::read_plain_message(payload, message)) return false;
    if (!handshake_ || handshake_->finished()) {
      handshake::server_options o;
      // The CDN DC answers with its own key only: a client must not reach it with a regular DC's.
      o.rsa_key = dc_id_ == cdn_dc_id && s_.cdn_rsa_key ? s_.cdn_rsa_key : s_.rsa_key;
      handshake_.emplace(std::move(o), secure_random_source);
    }
    auto step = handshake_->feed(message.body, now);
    if (step.error) {
      fmt::print(stderr, "testdc: DC {} handshake failed: {}\n", dc_id_, step.error.message());
      return false;
    }
    if (!step.reply.empty()) {
      flush(out);
      std::vector<std::uint8_t> buf(transport::stream_codec::max_header_size);
      session::write_plain_message(buf, plain_ids_.next(now, session::msg_kind::server_response), step.reply);
      out.push_back(seal(std::move(buf), transport::stream_codec::max_header_size));
    }
    if (step.done) {
      ++s_.counters.handshakes;
      std::lock_guard lock(s_.shared);
      s_.keys.add(dc_id_, step.done->key, step.done->first_salt).expires_at = step.done->expires_at;
    }
    return true;
  }

  wire_bytes seal(std::vector<std::uint8_t> buf, std::size_t head_room) {
    const std::size_t payload = buf.size() - head_room;
    buf.resize(buf.size() + transport::stream_codec::max_trailer_size);
    const auto wire = codec_.seal(buf, head_room, payload);
    const auto offset = static_cast<std::size_t>(wire.data() - buf.data());
    const auto size = wire.size();
    return wire_bytes(std::move(buf), offset, size);
  }

  server::state& s_;
  std::int32_t dc_id_;
  bool refused_;
  transport::stream_codec codec_;
  std::optional<handshake::server_handshake> handshake_;
  session::msg_id_generator plain_ids_;
  std::vector<session::server_event> events_;
  /// Sessions with answers not sealed yet (flush()).
  std::vector<std::shared_ptr<session_slot>> touched_;
  int bad_packets_ = 0;
  bool drop_ = false;
  bool routed_ = false;
  std::int64_t account_ = 0;
};

/// --account-rate: reserves `bytes` on the account's shared timeline; returns when they may go.
std::chrono::steady_clock::time_point account_slot(server::state& s, std::int64_t account, std::size_t bytes) {
  constexpr std::size_t max_accounts = 4096;
  std::lock_guard lock(s.shared);
  const auto now = std::chrono::steady_clock::now();
  if (s.account_free_at.size() >= max_accounts && !s.account_free_at.contains(account)) {
    std::erase_if(s.account_free_at, [&](const auto& entry) { return entry.second <= now; });
    if (s.account_free_at.size() >= max_accounts) s.account_free_at.clear();
  }
  auto& free_at = s.account_free_at[account];
  const auto start = std::max(free_at, now);
  free_at = start + std::chrono::microseconds(static_cast<std::int64_t>(
                        bytes * 1000000 / static_cast<std::uint64_t>(s.opts.faults.account_rate)));
  return start;
}

/// Answers waiting to be written, each due at the time its request arrived plus --latency-ms.
/// The reader fills it and the writer drains it, so requests keep arriving while answers wait.
struct outbox {
  explicit outbox(const asio::any_io_executor& ex)
      : wake(ex, std::chrono::steady_clock::time_point::max()), room(ex, std::chrono::steady_clock::time_point::max()) {}
  std::deque<std::pair<std::chrono::steady_clock::time_point, wire_bytes>> queue;
  std::size_t queued_bytes = 0;
  /// Set when no more answers will come: the writer writes what is queued, then ends.
  bool closing = false;
  /// Cancelled to wake the writer (a timer used as a condition variable).
  asio::steady_timer wake;
  /// Cancelled by the writer when it took answers: a reader waiting for room may go on.
  asio::steady_timer room;
  void notify() { wake.cancel(); }
};

asio::awaitable<void> read_requests(server::state& s, tcp::socket& socket, connection& c, outbox& box) {
  const auto latency = std::chrono::milliseconds(s.opts.faults.latency_ms);
  std::vector<wire_bytes> out;
  for (bool open = true; open && !s.stopped;) {
    const std::size_t want = std::max(read_chunk, c.codec().bytes_wanted());
    auto space = c.codec().prepare(std::min(want, max_client_frame + 64));
    std::error_code ec;
    const std::size_t n = co_await socket.async_read_some(asio::buffer(space.data(), space.size()),
                                                          asio::redirect_error(asio::use_awaitable, ec));
    if (ec) break;
    c.codec().commit(n);
    out.clear();
    open = c.process(out) && !c.drop_after_write();
    const auto due = std::chrono::steady_clock::now() + latency;
    for (auto& wire : out) {
      box.queued_bytes += wire.size;
      box.queue.emplace_back(due, std::move(wire));
    }
    if (!out.empty()) box.notify();
    // A client that asks without reading is not answered into unbounded memory: stop reading.
    while (open && box.queued_bytes > max_queued_answer_bytes && !s.stopped) {
      box.room.expires_at(std::chrono::steady_clock::time_point::max());
      std::error_code woken;
      co_await box.room.async_wait(asio::redirect_error(asio::use_awaitable, woken));
      if (box.closing) open = false;  // the writer is gone
    }
  }
  box.closing = true;
  box.notify();
}

asio::awaitable<void> write_answers(server::state& s, tcp::socket& socket, const connection& c, outbox& box,
                                    std::int32_t dc_id) {
  const auto rate = s.opts.faults.rate_per_connection;
  const auto started = std::chrono::steady_clock::now();
  std::uint64_t sent = 0;
  asio::steady_timer pacing(socket.get_executor());
  const auto wait_until = [&](std::chrono::steady_clock::time_point t) -> asio::awaitable<void> {
    if (t <= std::chrono::steady_clock::now()) co_return;
    pacing.expires_at(t);
    co_await pacing.async_wait(asio::use_awaitable);
  };
  try {
    for (;;) {
      if (box.queue.empty()) {
        if (box.closing) break;
        box.wake.expires_at(std::chrono::steady_clock::time_point::max());
        std::error_code woken;
        co_await box.wake.async_wait(asio::redirect_error(asio::use_awaitable, woken));
        continue;
      }
      co_await wait_until(box.queue.front().first);
      wire_bytes wire = std::move(box.queue.front().second);
      box.queue.pop_front();
      box.queued_bytes -= wire.size;
      box.room.cancel();
      if (s.opts.faults.account_rate > 0 && c.account() != 0) co_await wait_until(account_slot(s, c.account(), wire.size));
      co_await asio::async_write(socket, asio::buffer(wire.buffer.data() + wire.offset, wire.size), asio::use_awaitable);
      sent += wire.size;
      s.counters.bytes_sent += wire.size;
      // Pace to the configured bandwidth: the time these bytes may take at `rate`.
      if (rate > 0)
        co_await wait_until(started + std::chrono::microseconds(static_cast<std::int64_t>(
                                          sent * 1000000 / static_cast<std::uint64_t>(rate))));
    }
  } catch (const std::exception& e) {
    if (!s.stopped) fmt::print(stderr, "testdc: DC {} connection closed: {}\n", dc_id, e.what());
  }
  // Whatever ended the answers (the peer left, a fault), the reader must stop too.
  box.closing = true;
  box.room.cancel();
  std::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
}

}  // namespace

bool over_connect_rate(server::state& s, const asio::ip::address& peer) {
  const auto limit = s.opts.faults.connect_rate;
  if (limit <= 0) return false;
  constexpr auto window_length = std::chrono::seconds(1);
  constexpr std::size_t max_tracked = 4096;
  const auto now = std::chrono::steady_clock::now();
  if (s.connects.size() >= max_tracked && !s.connects.contains(peer)) s.connects.clear();
  auto& w = s.connects[peer];
  if (w.count == 0 || now - w.start >= window_length) w = {now, 0};
  return ++w.count > limit;
}

asio::awaitable<void> serve_connection(server::state& s, io_lane& lane, tcp::socket socket, std::int32_t dc_id,
                                       bool refused) {
  lane.sockets.push_back(&socket);
  auto registered = std::prev(lane.sockets.end());
  ++s.open_connections;
  ++s.counters.connections;
  if (refused) ++s.counters.refused_connections;
  socket.set_option(tcp::no_delay(true));
  try {
    connection c(s, dc_id, refused);
    outbox box(socket.get_executor());
    co_await (read_requests(s, socket, c, box) && write_answers(s, socket, c, box, dc_id));
  } catch (const std::exception& e) {
    if (!s.stopped) fmt::print(stderr, "testdc: DC {} connection closed: {}\n", dc_id, e.what());
  }
  lane.sockets.erase(registered);
  --s.open_connections;
  std::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace mtproto::testdc

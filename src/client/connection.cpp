#include "connection.h"

#include <asio/this_coro.hpp>
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>

#include <algorithm>
#include <variant>

#include "mtproto/api/fn/initConnection.h"
#include "mtproto/api/fn/invokeWithLayer.h"
#include "mtproto/crypto/random.h"
#include "mtproto/handshake/client_handshake.h"
#include "mtproto/mt/fn/ping_delay_disconnect.h"
#include "mtproto/session/plain_message.h"
#include "mtproto/transport/error.h"

namespace mtproto::client::detail {
namespace {

using namespace asio::experimental::awaitable_operators;
constexpr auto use_tuple = asio::experimental::as_tuple(asio::use_awaitable);

/// Reads at least this much per read_some, so small frames are not read a few bytes at a time.
constexpr std::size_t min_read_size = 16 * 1024;
/// At most this much buffer is offered to one read (a big frame arrives in several reads).
constexpr std::size_t max_read_size = 1024 * 1024;
/// Test DCs are told dc_id + 10000 in the handshake and the obfuscated2 header.
constexpr int test_dc_offset = 10000;
/// The transport error a server sends when it does not know the auth key.
constexpr std::int32_t transport_error_unknown_key = -404;

/// A TL function whose bytes are already serialized: the query inside invokeWithLayer/initConnection.
struct raw_query {
  using result_type = std::int32_t;  // never read: the caller decodes the inner function's result
  std::span<const std::uint8_t> bytes;
  void write(tl::writer& w) const { w.write_raw(bytes); }
};

crypto::random_source secure_random_source() {
  return [](std::span<std::uint8_t> out) { crypto::secure_random(out); };
}

template <class... T>
std::error_code first_error(const std::variant<T...>& v) {
  return std::visit([](const auto& e) { return std::error_code(e); }, v);
}

}  // namespace

connection::connection(strand ex, connection_owner& owner, int dc_id, session_kind kind, int index)
    : ex_(ex), owner_(owner), dc_id_(dc_id), kind_(kind), index_(index), socket_(ex), writer_wake_(ex),
      retry_timer_(ex) {}

connection::~connection() = default;

void connection::submit(call_id id, std::vector<std::uint8_t> body) {
  if (session_ && open_ && calls_.size() < owner_.options().max_in_flight_per_connection && queued_.empty()) {
    push_call(id, std::move(body));
  } else {
    queued_.emplace_back(id, std::move(body));
  }
  start_running();
}

void connection::start_running() {
  if (running_ || stopped_) return;
  running_ = true;
  asio::co_spawn(
      ex_, [self = shared_from_this(), owner = owner_.keep_alive()]() { return self->run(); },
      [self = shared_from_this(), owner = owner_.keep_alive()](std::exception_ptr e) {
        if (e) self->recover(e);
      });
}

void connection::recover(std::exception_ptr e) {
  std::string what = "unknown exception";
  try {
    std::rethrow_exception(e);
  } catch (const std::exception& x) {
    what = x.what();
  } catch (...) {
  }
  owner_.options().log.error("dc{}: connection failed on an exception: {}", dc_id_, what);
  running_ = false;
  open_ = false;
  close_socket();
  retry_timer_.cancel();
  writer_wake_.cancel();
  // What the session knew may be half-updated: drop it, and fail what was in it rather than risk
  // running a request twice. Queued calls were never sent: they wait for the next connection.
  auto never_sent = std::move(queued_);
  queued_.clear();
  fail_all(make_error_code(client_errc::internal_error));
  queued_ = std::move(never_sent);
  session_.reset();
  codec_.reset();
  init_sent_ = false;
  init_request_ = 0;
  frames_served_ = 0;
  bad_packets_in_row_ = 0;
  auto& keys = owner_.keys(dc_id_);
  if (keys.creating_key) {
    // The handshake died with this coroutine: let the next attempt (or a waiter) start another.
    keys.creating_key = false;
    auto waiters = std::move(keys.key_waiters);
    keys.key_waiters.clear();
    for (auto& wake : waiters) wake();
  }
  if (!queued_.empty()) start_running();
}

void connection::forget(call_id id) {
  auto q = std::find_if(queued_.begin(), queued_.end(), [&](const auto& e) { return e.first == id; });
  if (q != queued_.end()) {
    queued_.erase(q);
    return;
  }
  for (auto it = calls_.begin(); it != calls_.end(); ++it) {
    if (it->second.id != id) continue;
    if (session_) session_->cancel(it->first);
    if (it->first == init_request_) {
      init_request_ = 0;
      init_sent_ = false;
    }
    calls_.erase(it);
    if (open_ && session_ && !queued_.empty()) push_queued();  // the cancelled call made room
    return;
  }
}

void connection::stop(std::error_code reason) {
  stopped_ = true;
  fail_all(reason);
  close_socket();
  retry_timer_.cancel();
  if (key_wait_) key_wait_->cancel();
  writer_wake_.cancel();
}

session_state connection::state() const {
  session_state s;
  s.kind = kind_;
  // Download sessions are numbered from 1 internally; callers name them from 0 (session_index).
  s.index = kind_ == session_kind::main ? 0 : index_ - 1;
  s.open = open_;
  s.in_flight = calls_.size();
  s.queued = queued_.size();
  s.last_error = last_error_;
  return s;
}

void connection::fail_all(std::error_code reason, std::error_code cause) {
  if (reason) last_error_ = reason;
  auto queued = std::move(queued_);
  queued_.clear();
  auto calls = std::move(calls_);
  calls_.clear();
  const call_error error{reason, std::nullopt, cause};
  for (auto& [req, call] : calls) {
    if (session_) session_->cancel(req);
  }
  init_request_ = 0;
  if (!calls.empty()) init_sent_ = false;
  for (auto& [id, body] : queued) owner_.call_done(id, &error, {});
  for (auto& [req, call] : calls) owner_.call_done(call.id, &error, {});
}

void connection::close_socket() {
  asio::error_code ignored;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  resolver_.reset();
}

asio::awaitable<void> connection::run() {
  auto& log = owner_.options().log;
  retry_context retry;
  auto first_failure = std::chrono::steady_clock::now();
  while (!stopped_) {
    bool reached = false;
    auto ec = co_await connect_once();
    if (!ec) {
      reached = true;
      ec = co_await ensure_key();
    }
    if (!ec && !stopped_) {
      start_session();
      open_ = true;
      push_queued();
      ec = co_await serve();
      open_ = false;
    }
    close_socket();
    if (stopped_) break;
    last_error_ = ec;
    log.info("dc{} {}#{}: connection ended: {}", dc_id_,
             kind_ == session_kind::main ? "main" : kind_ == session_kind::cdn ? "cdn" : "download", index_,
             ec.message());
    if (session_) session_->on_reconnect();
    const auto now = std::chrono::steady_clock::now();
    // Only authentic packets are progress: a connection that delivered them starts a fresh retry
    // sequence when it is lost; one that delivered garbage (or nothing) backs off further.
    if (frames_served_ > 0) retry = {};
    frames_served_ = 0;
    bad_packets_in_row_ = 0;
    if (retry.failures == 0) first_failure = now;
    ++retry.failures;
    retry.elapsed = now - first_failure;
    retry.last_error = ec;
    if (load() == 0) break;  // nothing waits: reconnect when the next call arrives
    auto delay = owner_.options().reconnect(retry);
    if (!delay) {
      log.warn("dc{}: giving up after {} failures: {}", dc_id_, retry.failures, ec.message());
      fail_all(reached || session_ ? make_error_code(client_errc::connection_lost)
                                   : make_error_code(client_errc::connect_failed),
               ec);
      break;
    }
    co_await sleep(*delay);
  }
  running_ = false;
  // A call may have arrived while the last attempt was winding down.
  if (!queued_.empty()) start_running();
}

asio::awaitable<void> connection::sleep(std::chrono::milliseconds d) {
  retry_timer_.expires_after(d);
  co_await retry_timer_.async_wait(use_tuple);
}

std::vector<dc_endpoint> connection::endpoints_of(const dc_table& table) const {
  if (kind_ == session_kind::cdn) return table.cdn_endpoints(dc_id_);
  return table.endpoints(dc_id_, kind_ == session_kind::download);
}

asio::awaitable<std::error_code> connection::connect_once() {
  const auto& options = owner_.options();
  std::vector<dc_endpoint> endpoints;
  std::optional<transport::proxy_secret> secret;
  auto& keys = owner_.keys(dc_id_);
  through_proxy_ = options.transport.via_proxy.has_value();
  reported_unknown_key_ = false;
  if (through_proxy_ && keys.check_direct) {
    // One direct attempt to confirm what the proxy said; without a direct address, or if it
    // fails, the proxy stays the way in and its -404 stays unconfirmed.
    keys.check_direct = false;
    endpoints = endpoints_of(options.dc_table);
    if (!endpoints.empty()) {
      through_proxy_ = false;
      owner_.options().log.info("dc{}: confirming the proxy's -404 on a direct connection", dc_id_);
    }
  }
  if (through_proxy_) {
    dc_endpoint e;
    e.host = options.transport.via_proxy->host;
    e.port = options.transport.via_proxy->port;
    endpoints.push_back(e);
    secret = options.transport.via_proxy->secret;
  } else if (endpoints.empty()) {
    endpoints = endpoints_of(options.dc_table);
  }
  if (endpoints.empty()) co_return make_error_code(client_errc::unknown_dc);
  if (!through_proxy_ && keys.last_reached) {
    // The address that worked last goes first; the rest keep their order as backups.
    if (auto it = std::find(endpoints.begin(), endpoints.end(), *keys.last_reached); it != endpoints.end())
      std::rotate(endpoints.begin(), it, std::next(it));
  }

  std::error_code last = make_error_code(client_errc::connect_failed);
  for (const auto& endpoint : endpoints) {
    if (stopped_) co_return make_error_code(client_errc::shut_down);
    resolver_.emplace(ex_);
    // The resolver and the connect share one deadline: a DNS server that never answers must not
    // hold the connection (and its calls) beyond connect_timeout.
    asio::steady_timer deadline(ex_, options.connect_timeout);
    auto resolved = co_await (resolver_->async_resolve(endpoint.host, std::to_string(endpoint.port), use_tuple) ||
                              deadline.async_wait(use_tuple));
    if (resolved.index() == 1) {
      resolver_.reset();
      last = make_error_code(client_errc::connect_failed);
      continue;
    }
    auto [rec, results] = std::get<0>(std::move(resolved));
    if (rec) {
      last = rec;
      continue;
    }
    auto outcome = co_await (asio::async_connect(socket_, results, use_tuple) || deadline.async_wait(use_tuple));
    if (outcome.index() == 1) {
      close_socket();
      last = make_error_code(client_errc::connect_failed);
      continue;
    }
    if (auto cec = std::get<0>(std::get<0>(outcome)); cec) {
      close_socket();
      last = cec;
      if (endpoints.size() > 1)
        options.log.info("dc{}: {}:{} refused ({}); trying the next address", dc_id_, endpoint.host, endpoint.port,
                         cec.message());
      continue;
    }
    asio::error_code ignored;
    socket_.set_option(asio::ip::tcp::no_delay(true), ignored);

    transport::client_options topts;
    topts.framing = options.transport.framing;
    topts.obfuscated = options.transport.obfuscated;
    topts.secret = secret ? secret : endpoint.secret;
    const int wire_dc = options.dc_table.test_mode() ? dc_id_ + test_dc_offset : dc_id_;
    topts.dc_id = static_cast<std::int16_t>(kind_ == session_kind::download && endpoint.media_only ? -wire_dc : wire_dc);
    try {
      codec_.emplace(transport::stream_codec::client(topts, secure_random_source()));
    } catch (const std::system_error& e) {
      co_return e.code();
    }
    auto preamble = codec_->preamble();
    if (!preamble.empty()) {
      auto [wec, n] = co_await asio::async_write(socket_, asio::buffer(preamble.data(), preamble.size()), use_tuple);
      if (wec) {
        close_socket();
        last = wec;
        continue;
      }
    }
    last_received_ = std::chrono::steady_clock::now();
    if (!through_proxy_) owner_.keys(dc_id_).last_reached = endpoint;
    owner_.connected(dc_id_);
    co_return std::error_code{};
  }
  co_return last;
}

asio::awaitable<std::error_code> connection::ensure_key() {
  auto& keys = owner_.keys(dc_id_);
  while (!stopped_) {
    if (keys.key) co_return std::error_code{};
    if (!keys.creating_key) {
      keys.creating_key = true;
      asio::steady_timer deadline(ex_, owner_.options().handshake_timeout);
      auto outcome = co_await (guarded(create_key()) || deadline.async_wait(use_tuple));
      keys.creating_key = false;
      if (crash_) std::rethrow_exception(std::exchange(crash_, nullptr));
      auto waiters = std::move(keys.key_waiters);
      keys.key_waiters.clear();
      for (auto& wake : waiters) wake();
      if (outcome.index() == 1) co_return make_error_code(client_errc::handshake_timeout);
      co_return std::get<0>(outcome);
    }
    // Another connection to this DC is creating the key: wait for it (it shares the key).
    key_wait_ = std::make_shared<asio::steady_timer>(ex_, owner_.options().handshake_timeout);
    keys.key_waiters.push_back([weak = std::weak_ptr(key_wait_)] {
      if (auto t = weak.lock()) t->cancel();
    });
    auto wait = key_wait_;
    auto [ec] = co_await wait->async_wait(use_tuple);
    if (!ec) co_return make_error_code(client_errc::handshake_timeout);
  }
  co_return make_error_code(client_errc::shut_down);
}

asio::awaitable<std::error_code> connection::create_key() {
  const auto& options = owner_.options();
  auto& log = options.log;
  handshake::client_options hopts;
  hopts.rsa_keys = owner_.handshake_keys(dc_id_, kind_);
  hopts.dc_id = options.dc_table.test_mode() ? dc_id_ + test_dc_offset : dc_id_;
  handshake::client_handshake hs(hopts, secure_random_source());
  session::msg_id_generator ids;

  auto send_plain = [&](const std::vector<std::uint8_t>& body) -> asio::awaitable<std::error_code> {
    std::vector<std::uint8_t> buffer(transport::stream_codec::max_header_size);
    session::write_plain_message(buffer, ids.next(owner_.now()), body);
    co_return co_await send_payload(buffer, transport::stream_codec::max_header_size);
  };

  log.debug("dc{}: creating auth key", dc_id_);
  if (auto ec = co_await send_plain(hs.begin())) co_return ec;
  while (true) {
    std::span<std::uint8_t> frame;
    if (auto ec = co_await next_frame(frame)) co_return ec;
    session::plain_message message;
    if (auto ec = session::read_plain_message(frame, message)) co_return ec;
    auto step = hs.feed(message.body, owner_.now());
    if (step.error) co_return step.error;
    if (!step.reply.empty()) {
      if (auto ec = co_await send_plain(step.reply)) co_return ec;
    }
    if (step.done) {
      auto& keys = owner_.keys(dc_id_);
      keys.key = step.done->key;
      keys.salt = step.done->first_salt;
      keys.time_offset = step.done->time_offset;
      ++keys.generation;
      log.info("dc{}: auth key {:016x} created", dc_id_, static_cast<std::uint64_t>(keys.key->id()));
      owner_.keys_changed(dc_id_);
      owner_.handshake_done(dc_id_);
      co_return std::error_code{};
    }
  }
}

void connection::start_session() {
  auto& keys = owner_.keys(dc_id_);
  if (session_ && session_key_generation_ == keys.generation) return;
  // The key changed under this session (the server forgot the old one and answered -404): what it
  // could not decrypt it never executed, so the calls go out again in a session on the new key.
  if (session_) requeue_pushed();
  std::int64_t session_id = 0;
  crypto::secure_random(std::span(reinterpret_cast<std::uint8_t*>(&session_id), sizeof session_id));
  session_.emplace(*keys.key, session_id, keys.salt, secure_random_source());
  session_->clock_sync().set_offset(keys.time_offset);
  session_key_generation_ = keys.generation;
  init_sent_ = false;
  init_request_ = 0;
}

void connection::requeue_pushed() {
  // Request ids grow with every push: the map's order is the order the calls were made in.
  auto pushed = std::move(calls_);
  calls_.clear();
  for (auto it = pushed.rbegin(); it != pushed.rend(); ++it)
    queued_.emplace_front(it->second.id, std::move(it->second.body));
}

void connection::push_queued() {
  // Oldest first, up to the in-flight cap; the rest waits for answers to make room.
  const auto cap = owner_.options().max_in_flight_per_connection;
  while (!queued_.empty() && calls_.size() < cap) {
    auto [id, body] = std::move(queued_.front());
    queued_.pop_front();
    push_call(id, std::move(body));
  }
}

std::vector<std::uint8_t> connection::wrap_first_call(std::span<const std::uint8_t> body) const {
  const auto& o = owner_.options();
  api::initConnection<raw_query> init;
  init.api_id = o.api_id;
  init.device_model = o.device_model;
  init.system_version = o.system_version;
  init.app_version = o.app_version;
  init.system_lang_code = o.system_lang_code;
  init.lang_pack = o.lang_pack;
  init.lang_code = o.lang_code;
  init.query = raw_query{body};
  api::invokeWithLayer<api::initConnection<raw_query>> wrapped{o.layer, std::move(init)};
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  wrapped.write(w);
  return out;
}

void connection::push_call(call_id id, std::vector<std::uint8_t> body) {
  session::request_id req = 0;
  if (!init_sent_) {
    req = session_->push(wrap_first_call(body));
    init_sent_ = true;
    init_request_ = req;
  } else {
    req = session_->push(body);
  }
  calls_[req] = pushed_call{id, std::move(body)};
  wake_writer();
}

void connection::wake_writer() {
  wake_pending_ = true;
  writer_wake_.cancel();
}

asio::awaitable<std::error_code> connection::send_payload(std::vector<std::uint8_t>& buffer, std::size_t head_room) {
  const std::size_t payload = buffer.size() - head_room;
  buffer.resize(buffer.size() + transport::stream_codec::max_trailer_size);
  std::span<std::uint8_t> wire;
  try {
    wire = codec_->seal(buffer, head_room, payload);
  } catch (const std::system_error& e) {
    co_return e.code();
  }
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(wire.data(), wire.size()), use_tuple);
  co_return ec;
}

asio::awaitable<std::error_code> connection::next_frame(std::span<std::uint8_t>& frame) {
  while (true) {
    while (auto ev = codec_->next()) {
      if (auto* f = std::get_if<transport::frame_received>(&*ev)) {
        frame = f->payload;
        co_return std::error_code{};
      }
      if (auto* t = std::get_if<transport::transport_error_received>(&*ev)) {
        owner_.options().log.warn("dc{}: transport error {}", dc_id_, t->code);
        if (t->code == transport_error_unknown_key) note_unknown_key();
        co_return transport::server_transport_error(t->code);
      }
      // quick acks carry nothing the session needs
    }
    if (codec_->error()) co_return codec_->error();
    const std::size_t want = std::clamp(codec_->bytes_wanted(), min_read_size, max_read_size);
    auto space = codec_->prepare(want);
    auto [ec, n] = co_await socket_.async_read_some(asio::buffer(space.data(), space.size()), use_tuple);
    if (ec) co_return ec;
    codec_->commit(n);
    last_received_ = std::chrono::steady_clock::now();
  }
}

void connection::note_unknown_key() {
  auto& keys = owner_.keys(dc_id_);
  // Only about the key this connection's session uses, and once per connection.
  if (!keys.key || !session_ || session_key_generation_ != keys.generation || reported_unknown_key_) return;
  reported_unknown_key_ = true;
  ++keys.unknown_key_reports;
  const auto& options = owner_.options();
  auto& log = options.log;
  if (keys.unknown_key_reports < options.unknown_key_confirmations || through_proxy_) {
    // A transport error is not authenticated: a -404 alone is a hint, kept in memory. Through a
    // proxy the confirmation must come from the DC itself, on a direct connection.
    if (through_proxy_ && options.check_key_loss_directly &&
        keys.unknown_key_reports + 1 >= options.unknown_key_confirmations)
      keys.check_direct = true;
    log.warn("dc{}: -404 (unknown auth key) {} of {}{}; keeping the key until confirmed", dc_id_,
             keys.unknown_key_reports, options.unknown_key_confirmations, through_proxy_ ? ", through the proxy" : "");
    return;
  }
  // Confirmed on fresh connections: the server no longer has the key. Replace it in memory; the
  // stored key and login stay on disk until the new key exists (keys_changed then).
  log.warn("dc{}: the server forgot auth key {:016x}; creating a new one", dc_id_,
           static_cast<std::uint64_t>(keys.key->id()));
  keys.key.reset();
  ++keys.generation;
  keys.unknown_key_reports = 0;
  keys.check_direct = false;
  owner_.key_forgotten(dc_id_);
}

asio::awaitable<std::error_code> connection::guarded(asio::awaitable<std::error_code> op) {
  std::exception_ptr thrown;
  try {
    co_return co_await std::move(op);
  } catch (...) {
    thrown = std::current_exception();
  }
  // A branch cancelled because another one finished throws operation_aborted: that is no crash.
  auto state = co_await asio::this_coro::cancellation_state;
  if (state.cancelled() == asio::cancellation_type::none && !crash_) {
    crash_ = thrown;
    // Until recover() runs (after the other branches wind down), calls made now must queue for
    // the next connection instead of joining a session that is about to be failed.
    open_ = false;
  }
  co_return make_error_code(client_errc::internal_error);
}

asio::awaitable<std::error_code> connection::serve() {
  // `||` waits for one branch to *succeed*: a branch that throws would leave the others running
  // (the connection stalled until the keep-alive gave up). guarded() turns the exception into a
  // completion and keeps it, so it ends this connection at once and reaches recover().
  auto outcome = co_await (guarded(read_loop()) || guarded(write_loop()) || guarded(keepalive_loop()));
  if (crash_) std::rethrow_exception(std::exchange(crash_, nullptr));
  co_return std::visit([](const std::error_code& e) { return e; }, outcome);
}

asio::awaitable<std::error_code> connection::read_loop() {
  while (true) {
    std::span<std::uint8_t> frame;
    if (auto ec = co_await next_frame(frame)) co_return ec;
    events_.clear();
    if (session_->feed(frame, owner_.now(), events_)) {
      ++frames_served_;
      bad_packets_in_row_ = 0;
      auto& keys = owner_.keys(dc_id_);
      keys.unknown_key_reports = 0;  // the server does know the key
      keys.check_direct = false;
    } else if (++bad_packets_in_row_ >= owner_.options().max_bad_packets) {
      // A stream of packets that are not ours: close, and let the backoff pace reconnecting.
      const auto* failure = events_.empty() ? nullptr : std::get_if<session::failure_event>(&events_.back());
      const std::error_code why = failure ? failure->error : make_error_code(client_errc::connection_lost);
      for (auto& ev : events_) handle(ev);
      co_return why;
    }
    bool resend_likely = false;
    for (auto& ev : events_) {
      if (!std::holds_alternative<session::rpc_result_event>(ev) && !std::holds_alternative<session::ack_event>(ev) &&
          !std::holds_alternative<session::pong_event>(ev) && !std::holds_alternative<session::update_event>(ev))
        resend_likely = true;
      handle(ev);
    }
    if (resend_likely && session_->has_outgoing()) wake_writer();
  }
}

asio::awaitable<std::error_code> connection::write_loop() {
  while (true) {
    while (session_->has_outgoing()) {
      auto packet = session_->finalize(owner_.now(), transport::stream_codec::max_header_size);
      if (!packet) break;
      if (auto ec = co_await send_payload(packet->buffer, packet->head_room)) co_return ec;
    }
    if (!wake_pending_) {
      writer_wake_.expires_at(asio::steady_timer::time_point::max());
      co_await writer_wake_.async_wait(use_tuple);
      // Both a wake-up and the end of serve() cancel the wait; only the latter sets the state.
      auto state = co_await asio::this_coro::cancellation_state;
      if (state.cancelled() != asio::cancellation_type::none) co_return make_error_code(client_errc::shut_down);
    }
    wake_pending_ = false;
  }
}

asio::awaitable<std::error_code> connection::keepalive_loop() {
  const auto& options = owner_.options();
  asio::steady_timer tick(ex_);
  auto next_ping = std::chrono::steady_clock::now() + options.ping_interval;
  while (true) {
    tick.expires_after(options.ack_flush_interval);
    auto [ec] = co_await tick.async_wait(use_tuple);
    if (ec) co_return ec;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_received_ > options.dead_connection_after) co_return make_error_code(client_errc::connection_lost);
    if (now >= next_ping) {
      next_ping = now + options.ping_interval;
      mt::ping_delay_disconnect ping{next_ping_id_++, static_cast<std::int32_t>(options.ping_disconnect_delay.count())};
      std::vector<std::uint8_t> body;
      tl::writer w(body);
      ping.write(w);
      // Untracked: a keep-alive missed on a dead connection is not worth re-sending on the next.
      session_->send_once(std::move(body));
    }
    if (session_->has_outgoing()) wake_writer();
  }
}

void connection::handle(session::event& ev) {
  auto& keys = owner_.keys(dc_id_);
  auto finish = [&](session::request_id req, const call_error* error, std::span<const std::uint8_t> result) {
    auto it = calls_.find(req);
    if (it == calls_.end()) return;
    const call_id id = it->second.id;
    calls_.erase(it);
    if (req == init_request_) {
      init_request_ = 0;
      // An error may mean initConnection was not applied: the next call carries it again.
      if (error) init_sent_ = false;
    }
    owner_.call_done(id, error, result);
    if (open_ && session_ && !queued_.empty()) push_queued();
  };
  std::visit(
      [&](auto& e) {
        using T = std::decay_t<decltype(e)>;
        if constexpr (std::is_same_v<T, session::rpc_result_event>) {
          finish(e.request, nullptr, e.result);
        } else if constexpr (std::is_same_v<T, session::rpc_error_event>) {
          const auto error = call_error::from_rpc(e.error);
          finish(e.request, &error, {});
        } else if constexpr (std::is_same_v<T, session::request_failed_event>) {
          if (e.error) {
            owner_.options().log.warn("dc{}: an answer could not be read: {}", dc_id_, e.error.message());
            const call_error error{e.error};
            finish(e.request, &error, {});
          } else {
            owner_.options().log.warn("dc{}: request dropped after bad_msg_notification {}", dc_id_, e.bad_msg_code);
            const call_error error{make_error_code(client_errc::request_rejected), std::nullopt};
            finish(e.request, &error, {});
          }
        } else if constexpr (std::is_same_v<T, session::salt_changed_event>) {
          keys.salt = e.salt;
          owner_.keys_changed(dc_id_);
        } else if constexpr (std::is_same_v<T, session::session_created_event>) {
          keys.salt = e.server_salt;
          owner_.keys_changed(dc_id_);
        } else if constexpr (std::is_same_v<T, session::bad_msg_event>) {
          owner_.options().log.debug("dc{}: bad_msg_notification {}", dc_id_, e.error_code);
          if (session_->clock_sync().offset() != keys.time_offset) {
            keys.time_offset = session_->clock_sync().offset();
            owner_.keys_changed(dc_id_);
          }
        } else if constexpr (std::is_same_v<T, session::update_event>) {
          owner_.update_received(dc_id_, e.body);
        } else if constexpr (std::is_same_v<T, session::failure_event>) {
          owner_.options().log.warn("dc{}: dropped a packet: {} {}", dc_id_, e.error.message(), e.detail);
        }
      },
      ev);
}

}  // namespace mtproto::client::detail

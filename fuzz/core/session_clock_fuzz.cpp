// The client session's clock sync, replay window and container rules: session::client_session
// driven through a conversation. Operations (chosen by the input) push requests and finalize
// packets, let time pass, reconnect, cancel, move the server's clock, and feed packets correctly
// sealed under the session's key (session::seal_packet) whose msg_ids, seqnos and bodies the
// input chooses: fresh ids from a server clock that may be far from ours, replays of earlier ids,
// client-parity or raw ids, bad_msg_notification 16/17 (and every other code) naming our
// messages in flight, containers whose members are older or not older than the container,
// rpc_result / pong / acks / new_session_created / future_salts about our messages, gzip_packed,
// and updates. (The session decoder fuzzer reaches the same parsers, but always with a fresh
// msg_id.) Must hold:
//  - feed() says a packet is authentic exactly when it is for this session;
//  - every request is answered (result, error or failure) at most once, only while pending, and
//    pending_requests() matches; acks name pending requests; an rpc_error's wait is in range;
//  - an update reaches the application at most once per server msg_id, only with server parity,
//    and (when the clock did not move in that packet) from inside [-300 s, +30 s] of the server
//    clock as the session estimates it;
//  - no message of a container with a member not older than the container, or with a nested
//    container, is acted on;
//  - a top-level bad_msg_notification 16/17 moves the clock to exactly that message's time;
//  - every packet the client builds decrypts under the key, carries this session and the current
//    salt; its msg_ids are divisible by 4, a container's members are distinct and older than it,
//    its seqno is even; and, between clock syncs, every msg_id not sent before is greater than
//    every one sent before.
//  - a time sync never adopts a server time outside 2000..2038 (the clock stays one msg_ids can
//    carry), and a packet refused after a resync leaves the clock as it was.
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <set>
#include <span>
#include <vector>

#include "fuzz_data.h"
#include "mtproto/mt/BadMsgNotification.h"
#include "mtproto/mt/FutureSalts.h"
#include "mtproto/mt/MsgDetailedInfo.h"
#include "mtproto/mt/MsgResendReq.h"
#include "mtproto/mt/MsgsAck.h"
#include "mtproto/mt/MsgsStateReq.h"
#include "mtproto/mt/NewSession.h"
#include "mtproto/mt/Pong.h"
#include "mtproto/mt/RpcError.h"
#include "mtproto/session/client_session.h"
#include "mtproto/session/container.h"
#include "mtproto/tl/gzip.h"
#include "mtproto/tl/writer.h"
#include "session_fuzz_setup.h"

using namespace mtproto;
using namespace mtproto::session;

namespace {

constexpr std::size_t max_input = 8 * 1024;
constexpr std::size_t max_ops = 64;
constexpr std::size_t max_members = 6;
constexpr std::uint32_t request_ctor = 0x7e570001;  // our requests: an unknown function, then a counter
constexpr std::uint32_t result_ctor = 0x5e5e0001;   // what the "server" answers them with
constexpr std::uint32_t update_ctor = 0x0badf00d;   // updates: this id, then the msg_id carrying it
/// The server clock stays within a few years of ours, so its msg_ids are valid unix times.
constexpr std::int64_t max_skew_seconds = 100'000'000;

using fuzz::session_setup::counter_random;
using fuzz::session_setup::initial_salt;
using fuzz::session_setup::key;
using fuzz::session_setup::session_id;
using fuzz::session_setup::start;

template <class T>
std::vector<std::uint8_t> boxed(const T& v) {
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  v.write(w);
  return out;
}

struct conversation {
  client_session client{key(), session_id, initial_salt, counter_random};
  clock::time_point now = start;
  std::int64_t skew_seconds = 0;                // server clock - our clock
  msg_id_generator server_ids;                  // the server's own msg_ids (its offset stays 0)
  std::vector<std::int64_t> client_ids;         // every msg_id the client sent, in order
  std::set<std::int64_t> client_id_set;
  std::int64_t epoch_max = std::numeric_limits<std::int64_t>::min();  // greatest since the last sync
  std::set<std::int64_t> issued;                // sent, or handed out by clock_sync().next()
  std::vector<std::int64_t> server_msg_ids;     // every msg_id the "server" used
  std::set<request_id> pending;
  std::set<std::int64_t> delivered;             // msg_ids whose update reached the application
  std::uint32_t counter = 0;

  clock::time_point server_now() const { return now + std::chrono::seconds(skew_seconds); }
};

std::uint32_t first_word(std::span<const std::uint8_t> b) {
  if (b.size() < 4) return 0;
  return tl::reader(b).read_uint();
}

// ---- what the "server" sends --------------------------------------------------------------------

std::int64_t server_id(conversation& c, fuzz::fuzz_data& in) {
  std::int64_t id = 0;
  switch (in.byte() % 9) {
    case 0:
    case 1: id = c.server_ids.next(c.server_now(), msg_kind::server_response); break;
    case 2: id = c.server_ids.next(c.server_now(), msg_kind::server_event); break;
    case 3: {  // off by a chosen number of seconds, chosen low bits
      const auto delta = std::chrono::seconds(in.integral<std::int16_t>());
      id = (msg_id_at(c.server_now() + delta) & ~std::int64_t{3}) | (in.byte() & 3);
      break;
    }
    case 4:
      if (!c.server_msg_ids.empty()) {
        id = c.server_msg_ids[c.server_msg_ids.size() - 1 - in.below(c.server_msg_ids.size())];  // a replay
        break;
      }
      [[fallthrough]];
    case 5: id = (msg_id_at(c.server_now()) & ~std::int64_t{3}) | (in.byte() & 3); break;
    case 6:
      if (!c.client_ids.empty()) {
        id = c.client_ids[c.client_ids.size() - 1 - in.below(c.client_ids.size())];  // client parity
        break;
      }
      [[fallthrough]];
    case 7: id = in.integral<std::int64_t>(); break;
    default:  // at the edges of the window: 300 s old, 30 s ahead
      id = (msg_id_at(c.client.clock_sync().server_now(c.now) +
                      std::chrono::seconds(in.boolean() ? -300 : 30) +
                      std::chrono::milliseconds(static_cast<std::int8_t>(in.byte()))) &
            ~std::int64_t{3}) |
           1;
      break;
  }
  if (c.server_msg_ids.size() < 4096) c.server_msg_ids.push_back(id);
  return id;
}

/// One of our msg_ids (recent ones more likely), or something else.
std::int64_t client_id(conversation& c, fuzz::fuzz_data& in) {
  const std::uint8_t b = in.byte();
  if (!c.client_ids.empty() && b % 8 != 0) {
    const std::size_t n = c.client_ids.size();
    const std::size_t back = b % 8 < 6 ? in.below(std::min<std::size_t>(n, 4)) : in.below(n);
    return c.client_ids[c.client_ids.size() - 1 - back];
  }
  return b % 16 == 0 ? in.integral<std::int64_t>() : 0;
}

std::int32_t seqno(fuzz::fuzz_data& in) {
  const std::uint8_t b = in.byte();
  if (b < 200) return static_cast<std::int32_t>(b);
  return in.integral<std::int32_t>();
}

std::int32_t bad_msg_code(fuzz::fuzz_data& in) {
  static constexpr std::int32_t codes[] = {16, 17, 16, 17, 18, 19, 20, 32, 33, 34, 35, 48, 64};
  const std::uint8_t b = in.byte();
  return b < std::size(codes) * 16 ? codes[b % std::size(codes)] : in.integral<std::int32_t>();
}

std::vector<std::int64_t> some_ids(conversation& c, fuzz::fuzz_data& in, bool of_server) {
  std::vector<std::int64_t> ids;
  for (std::size_t n = in.byte() % 5; n > 0; --n) {
    if (of_server && !c.server_msg_ids.empty() && in.boolean())
      ids.push_back(c.server_msg_ids[in.below(c.server_msg_ids.size())]);
    else
      ids.push_back(client_id(c, in));
  }
  return ids;
}

/// What a packet turned out to hold, for the checks after feeding it.
struct built {
  bool bad_container = false;  // a top-level container that must be refused whole
  bool single_sync_notice = false;  // the packet is one bad_msg_notification 16/17
};

std::vector<std::uint8_t> message_body(conversation& c, fuzz::fuzz_data& in, std::int64_t msg_id, int depth, built& b);

std::vector<std::uint8_t> container_body(conversation& c, fuzz::fuzz_data& in, std::int64_t container_id, built& b) {
  std::vector<std::uint8_t> items_storage[max_members];
  std::vector<message_view> items;
  const std::size_t n = 1 + in.byte() % max_members;
  bool bad = false;
  for (std::size_t i = 0; i < n; ++i) {
    std::int64_t id = 0;
    switch (in.byte() % 8) {
      case 0: id = container_id; break;      // not older: refused
      case 1: id = container_id + 4; break;  // newer: refused
      case 2: id = server_id(c, in); break;
      default: id = container_id - 4 * static_cast<std::int64_t>(n - i + in.byte() % 4); break;
    }
    if (id >= container_id) bad = true;
    built inner;
    items_storage[i] = message_body(c, in, id, 1, inner);
    if (items_storage[i].size() >= 4 && tl::reader(items_storage[i]).read_uint() == msg_container_id) bad = true;
    if (items_storage[i].size() < 4) items_storage[i] = boxed(mt::msgs_ack{});  // members need a body
    items.push_back({id, seqno(in), items_storage[i]});
  }
  b.bad_container = bad;
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  write_container(w, items);
  return out;
}

std::vector<std::uint8_t> message_body(conversation& c, fuzz::fuzz_data& in, std::int64_t msg_id, int depth, built& b) {
  const std::uint8_t kind = in.byte();
  switch (kind % 16) {
    case 0:
    case 1: {
      mt::bad_msg_notification m{client_id(c, in), seqno(in), bad_msg_code(in)};
      if (depth == 0 && (m.error_code == 16 || m.error_code == 17)) b.single_sync_notice = true;
      return boxed(m);
    }
    case 2: return boxed(mt::bad_server_salt{client_id(c, in), seqno(in), 48, in.integral<std::int64_t>()});
    case 3:
      if (depth == 0) return container_body(c, in, msg_id, b);
      {  // a nested container
        std::vector<std::uint8_t> out;
        tl::writer w(out);
        write_container(w, {});
        return out;
      }
    case 4:
    case 5: {
      std::vector<std::uint8_t> result;
      tl::writer w(result);
      switch (in.byte() % 4) {
        case 0: mt::rpc_error{in.integral<std::int32_t>(), in.string(in.short_bytes(40))}.write(w); break;
        case 1: mt::rpc_error{420, "FLOOD_WAIT_" + std::to_string(in.integral<std::uint32_t>())}.write(w); break;
        case 2: {
          std::vector<std::uint8_t> inner;
          tl::writer(inner).write_uint(result_ctor);
          w.write_uint(tl::ids::gzip_packed);
          w.write_bytes(tl::gzip(inner));
          break;
        }
        default: w.write_uint(result_ctor); break;
      }
      std::vector<std::uint8_t> out;
      tl::writer ow(out);
      write_rpc_result(ow, client_id(c, in), result);
      return out;
    }
    case 6: return boxed(mt::msgs_ack{some_ids(c, in, false)});
    case 7: return boxed(mt::pong{client_id(c, in), in.integral<std::int64_t>()});
    case 8: {
      const std::int64_t first = client_id(c, in);
      const auto unique_id = in.integral<std::int64_t>();
      return boxed(mt::new_session_created{first, unique_id, in.integral<std::int64_t>()});
    }
    case 9:
    case 10: {
      std::vector<std::uint8_t> out;
      tl::writer w(out);
      w.write_uint(update_ctor);
      w.write_long(msg_id);
      return out;
    }
    case 11: return boxed(mt::msgs_state_req{some_ids(c, in, true)});
    case 12: return boxed(mt::msg_resend_req{some_ids(c, in, false)});
    case 13: {
      const std::int64_t answer = !c.server_msg_ids.empty() && in.boolean()
                                      ? c.server_msg_ids[in.below(c.server_msg_ids.size())]
                                      : in.integral<std::int64_t>();
      if (in.boolean()) return boxed(mt::msg_new_detailed_info{answer, 0, 0});
      return boxed(mt::msg_detailed_info{client_id(c, in), answer, 0, 0});
    }
    case 14: {
      const auto t = std::chrono::duration_cast<std::chrono::seconds>(c.server_now().time_since_epoch()).count();
      mt::future_salts f{client_id(c, in), static_cast<std::int32_t>(t), {}};
      for (std::size_t n = in.byte() % 4; n > 0; --n) {
        const std::int32_t since = static_cast<std::int32_t>(t) + in.integral<std::int16_t>();
        const std::int32_t until = since + static_cast<std::int32_t>(in.integral<std::uint16_t>());
        f.salts.push_back({since, until, in.integral<std::int64_t>()});
      }
      return boxed(f);
    }
    default: {
      if (kind & 0x80) {  // gzip_packed around another message
        built inner;
        const auto body = message_body(c, in, msg_id, depth, inner);
        b = inner;
        b.single_sync_notice = false;
        // gzip_packed is unwrapped once: a second one inside is just an object (an update).
        if (first_word(body) == tl::ids::gzip_packed) b.bad_container = false;
        std::vector<std::uint8_t> out;
        tl::writer w(out);
        w.write_uint(tl::ids::gzip_packed);
        w.write_bytes(tl::gzip(body));
        return out;
      }
      auto raw = in.short_bytes(64);
      return in.vector(raw.first(raw.size() & ~std::size_t{3}));
    }
  }
}

// ---- the checks ---------------------------------------------------------------------------------

void finished(conversation& c, request_id r) {
  if (!c.pending.erase(r)) std::abort();  // answered twice, or never asked
}

/// Checks the events of one feed; returns whether any of them acted on a message (not a failure).
bool check_events(conversation& c, const std::vector<event>& events, bool clock_moved) {
  bool acted = false;
  for (const auto& ev : events) {
    if (const auto* r = std::get_if<rpc_result_event>(&ev)) {
      finished(c, r->request);
    } else if (const auto* e = std::get_if<rpc_error_event>(&ev)) {
      finished(c, e->request);
      if (auto w = e->error.wait(); w && (*w < std::chrono::seconds(1) || *w > rpc_error::max_wait)) std::abort();
    } else if (const auto* f = std::get_if<request_failed_event>(&ev)) {
      finished(c, f->request);
    } else if (const auto* a = std::get_if<ack_event>(&ev)) {
      if (a->requests.empty()) std::abort();
      for (auto r : a->requests)
        if (!c.pending.count(r)) std::abort();
    } else if (const auto* p = std::get_if<pong_event>(&ev)) {
      if (p->request != 0) std::abort();
    } else if (const auto* u = std::get_if<update_event>(&ev)) {
      if (first_word(u->body) == update_ctor && u->body.size() == 12) {
        tl::reader r(u->body);
        r.read_uint();
        const std::int64_t id = r.read_long();
        if ((id & 3) != 1 && (id & 3) != 3) std::abort();     // client parity got through
        if (!c.delivered.insert(id).second) std::abort();     // a replay got through
        if (!clock_moved) {
          const auto t = msg_id_time(id);
          const auto server_now = c.client.clock_sync().server_now(c.now);
          if (t < server_now - std::chrono::seconds(300) || t > server_now + std::chrono::seconds(30)) std::abort();
        }
      }
    }
    if (!std::holds_alternative<failure_event>(ev)) acted = true;
  }
  if (c.client.pending_requests() != c.pending.size()) std::abort();
  return acted;
}

void finalize(conversation& c) {
  auto packet = c.client.finalize(c.now);
  if (!packet) {
    if (c.client.has_outgoing()) std::abort();
    return;
  }
  const std::int64_t salt = c.client.salt();
  opened_packet p;
  if (open_packet(packet->bytes(), key(), crypto::direction::client_to_server, p)) std::abort();
  if (p.header.session_id != session_id || p.header.salt != salt || p.header.msg_id != packet->msg_id) std::abort();
  std::vector<std::int64_t> ids = {p.header.msg_id};
  const bool container = first_word(p.body) == msg_container_id;
  if (container) {
    if (p.header.seqno % 2 != 0) std::abort();
    tl::reader r(p.body);
    r.read_uint();
    const auto members = parse_container(r);
    std::set<std::int64_t> distinct;
    for (const auto& m : members) {
      if (!distinct.insert(m.msg_id).second) std::abort();
      // Members are older than their container (client_session refuses a container that is not
      // when it receives one), also a request resent with its original msg_id after the clock
      // moved back.
      if (m.msg_id >= p.header.msg_id) std::abort();
      ids.push_back(m.msg_id);
    }
    if (c.client_id_set.count(p.header.msg_id)) std::abort();  // a container id is always new
  }
  const std::int64_t before = c.epoch_max;
  for (auto id : ids) {
    if (id % 4 != 0) std::abort();
    if (!c.client_id_set.count(id)) {
      if (id <= before) std::abort();  // a new msg_id not above the ones sent before
      c.epoch_max = std::max(c.epoch_max, id);
      c.client_id_set.insert(id);
      c.client_ids.push_back(id);
    }
    c.issued.insert(id);
  }
}

void feed(conversation& c, fuzz::fuzz_data& in) {
  const std::int64_t msg_id = server_id(c, in);
  const std::int32_t seq = seqno(in);
  built b;
  auto body = message_body(c, in, msg_id, 0, b);
  const bool ours = in.byte() % 16 != 0;
  const std::int64_t salt = in.byte() % 8 ? c.client.salt() : in.integral<std::int64_t>();
  std::vector<std::uint8_t> buf(packet_prefix);
  buf.insert(buf.end(), body.begin(), body.end());
  const packet_header h{salt, ours ? session_id : session_id ^ 1, msg_id, seq};
  auto packet = seal_packet(buf, 0, key(), crypto::direction::server_to_client, h, counter_random);

  const auto offset_before = c.client.clock_sync().offset();
  std::vector<event> events;
  const bool authentic = c.client.feed(packet, c.now, events);
  if (authentic != ours) std::abort();
  const bool clock_moved = c.client.clock_sync().offset() != offset_before;
  // The window check needs the clock the messages were admitted with: skip it when the clock may
  // have moved while reading the packet (a 16/17 notice, or a refusal that may have resynced).
  bool maybe_synced = clock_moved;
  for (const auto& ev : events) {
    if (std::holds_alternative<failure_event>(ev)) maybe_synced = true;
    if (const auto* bm = std::get_if<bad_msg_event>(&ev); bm && (bm->error_code == 16 || bm->error_code == 17))
      maybe_synced = true;
  }
  const bool acted = check_events(c, events, maybe_synced);
  if (b.bad_container && acted) std::abort();  // some member of a refused container was acted on
  const bool sane_time = msg_id_seconds(msg_id) >= earliest_server_time && msg_id_seconds(msg_id) < latest_server_time;
  if (b.single_sync_notice) {
    for (const auto& ev : events)
      if (const auto* bm = std::get_if<bad_msg_event>(&ev); bm && (bm->error_code == 16 || bm->error_code == 17)) {
        const auto expected = sane_time ? msg_id_time(msg_id) - c.now : offset_before;
        if (c.client.clock_sync().offset() != expected) std::abort();
      }
  }
  if (clock_moved) {  // only ever to a time msg_ids can carry
    const auto t = std::chrono::duration_cast<std::chrono::seconds>(c.client.clock_sync().server_now(c.now).time_since_epoch());
    if (t.count() < earliest_server_time || t.count() >= latest_server_time) std::abort();
  }
  if (clock_moved) c.epoch_max = std::numeric_limits<std::int64_t>::min();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > max_input) return 0;
  conversation c;
  fuzz::fuzz_data in(data, size);
  for (std::size_t op = 0; op < max_ops && !in.empty(); ++op) {
    // A real clock moves between any two steps, by no round amount: msg_ids are made from it, and
    // after a sync that moves it back they could only repeat an earlier id if the new clock hit
    // that earlier instant to the nanosecond (which a fuzzer's round steps would make likely).
    c.now += std::chrono::nanoseconds(2000 + (op * 7919) % 1000);
    switch (in.byte() % 10) {
      case 0:
      case 1: {  // requests, then a packet
        for (std::size_t n = 1 + in.byte() % 3; n > 0; --n) {
          std::vector<std::uint8_t> body;
          tl::writer w(body);
          w.write_uint(request_ctor);
          w.write_int(static_cast<std::int32_t>(c.counter++));
          const bool content = in.byte() % 4 != 0;
          request_id r = 0;
          if (in.byte() % 8 == 0) {
            const std::int64_t id = c.client.clock_sync().next(c.now);
            c.issued.insert(id);
            r = c.client.push(body, content, id);
          } else {
            r = c.client.push(body, content);
          }
          c.pending.insert(r);
        }
        finalize(c);
        break;
      }
      case 2: finalize(c); break;
      case 3: {  // time passes
        const std::uint8_t b = in.byte();
        if (b < 128) c.now += std::chrono::milliseconds(b * 10);
        else if (b < 250) c.now += std::chrono::seconds(b - 120);
        else c.now += std::chrono::hours(in.byte() % 24);
        break;
      }
      case 4: c.client.on_reconnect(); break;
      case 5:
        if (!c.pending.empty()) {
          auto it = c.pending.begin();
          std::advance(it, static_cast<std::ptrdiff_t>(in.below(c.pending.size())));
          c.client.cancel(*it);
          c.pending.erase(it);
          if (c.client.pending_requests() != c.pending.size()) std::abort();
        }
        break;
      case 6: {  // the server's clock moves away from ours
        const std::uint8_t b = in.byte();
        c.skew_seconds = b < 128 ? static_cast<std::int64_t>(in.integral<std::int16_t>())
                                 : static_cast<std::int64_t>(in.integral<std::int32_t>()) % max_skew_seconds;
        break;
      }
      default: feed(c, in); break;
    }
  }
  return 0;
}

#include "mtproto/session/client_session.h"

#include <algorithm>

#include <fmt/format.h>

#include "mtproto/mt/BadMsgNotification.h"
#include "mtproto/mt/FutureSalts.h"
#include "mtproto/mt/MsgDetailedInfo.h"
#include "mtproto/mt/MsgResendReq.h"
#include "mtproto/mt/MsgsAck.h"
#include "mtproto/mt/MsgsAllInfo.h"
#include "mtproto/mt/MsgsStateInfo.h"
#include "mtproto/mt/MsgsStateReq.h"
#include "mtproto/mt/NewSession.h"
#include "mtproto/mt/Pong.h"
#include "mtproto/mt/RpcError.h"
#include "mtproto/session/bad_msg_code.h"
#include "mtproto/session/container.h"
#include "mtproto/session/error.h"
#include "mtproto/tl/gzip.h"
#include "mtproto/tl/writer.h"

namespace mtproto::session {
namespace {

// Containers remembered so that acks and bad_msg notifications about them reach their members.
constexpr std::size_t max_remembered_containers = 1024;

// MTProto's msgs_state_info status byte values.
constexpr std::uint8_t state_unknown = 1;
constexpr std::uint8_t state_too_low = 3;
constexpr std::uint8_t state_received = 4;

std::uint32_t first_word(std::span<const std::uint8_t> body) {
  if (body.size() < 4) return 0;
  return body[0] | body[1] << 8 | body[2] << 16 | static_cast<std::uint32_t>(body[3]) << 24;
}

}  // namespace

client_session::client_session(auth_key key, std::int64_t session_id, std::int64_t salt, random_source random,
                               client_session_options options)
    : key_(std::move(key)),
      session_id_(session_id),
      salt_(salt),
      random_(std::move(random)),
      options_(options),
      replay_(/*from_server=*/true, options.replay) {}

request_id client_session::push(std::vector<std::uint8_t> body, bool content_related) {
  const request_id id = next_request_++;
  requests_.emplace(id, request_state{std::move(body), content_related});
  send_queue_.push_back(id);
  return id;
}

request_id client_session::push(std::vector<std::uint8_t> body, bool content_related, std::int64_t msg_id) {
  const request_id id = push(std::move(body), content_related);
  auto& r = requests_[id];
  r.msg_id = msg_id;
  r.seqno = seqno_.next(content_related);
  by_msg_id_[msg_id] = id;
  return id;
}

void client_session::cancel(request_id id) {
  auto it = requests_.find(id);
  if (it == requests_.end()) return;
  if (it->second.msg_id != 0) by_msg_id_.erase(it->second.msg_id);
  requests_.erase(it);
  // A stale id left in send_queue_ is skipped by finalize().
}

bool client_session::has_outgoing() const noexcept {
  for (auto id : send_queue_)
    if (requests_.count(id)) return true;
  return !service_queue_.empty() || !once_queue_.empty() || !once_service_queue_.empty() ||
         pending_acks_.size() >= options_.max_pending_acks;
}

void client_session::send_once(std::vector<std::uint8_t> body, bool content_related) {
  (content_related ? once_queue_ : once_service_queue_).push_back(std::move(body));
}

std::optional<outgoing_packet> client_session::finalize(clock::time_point now, std::size_t head_room) {
  struct item {
    std::int64_t msg_id;
    std::int32_t seqno;
    std::span<const std::uint8_t> body;
  };
  std::vector<item> items;
  std::vector<std::vector<std::uint8_t>> owned;  // service bodies built here
  std::size_t total = 0;

  if (!pending_acks_.empty()) {
    owned.push_back(tl::serialize(mt::msgs_ack{.msg_ids = std::move(pending_acks_)}));
    pending_acks_.clear();
  }
  for (auto& s : service_queue_) owned.push_back(std::move(s));
  service_queue_.clear();
  for (auto& s : once_service_queue_) owned.push_back(std::move(s));
  once_service_queue_.clear();
  const std::size_t not_content_related = owned.size();
  for (auto& s : once_queue_) owned.push_back(std::move(s));
  once_queue_.clear();
  for (std::size_t i = 0; i < owned.size(); ++i) {
    items.push_back({fresh_msg_id(now), seqno_.next(i >= not_content_related), owned[i]});
    total += container_item_header + owned[i].size();
  }

  while (!send_queue_.empty()) {
    auto it = requests_.find(send_queue_.front());
    if (it == requests_.end()) {  // cancelled
      send_queue_.pop_front();
      continue;
    }
    request_state& r = it->second;
    const std::size_t size = container_item_header + r.body.size();
    if (!items.empty() && total + size > options_.max_container_bytes) break;
    if (items.size() + 1 >= max_container_messages) break;
    send_queue_.pop_front();
    if (r.msg_id == 0) {
      r.msg_id = fresh_msg_id(now);
      r.seqno = seqno_.next(r.content_related);
      by_msg_id_[r.msg_id] = it->first;
    }
    items.push_back({r.msg_id, r.seqno, r.body});
    total += size;
  }
  if (items.empty()) return std::nullopt;

  pick_salt(now);
  outgoing_packet out;
  out.head_room = head_room;
  out.buffer.reserve(head_room + packet_prefix + total + 8 + max_padding);
  out.buffer.resize(head_room + packet_prefix);
  tl::writer w(out.buffer);
  packet_header header{salt_, session_id_, 0, 0};
  if (items.size() == 1) {
    header.msg_id = items[0].msg_id;
    header.seqno = items[0].seqno;
    w.write_raw(items[0].body);
  } else {
    std::vector<message_view> views;
    sent_container c;
    views.reserve(items.size());
    for (const auto& i : items) {
      views.push_back({i.msg_id, i.seqno, i.body});
      c.members.push_back(i.msg_id);
    }
    write_container(w, views);
    // The container's id must be the greatest, also above a member resent with its original id
    // after the clock was corrected backwards.
    std::int64_t newest_member = 0;
    for (const auto& i : items) newest_member = std::max(newest_member, i.msg_id);
    header.msg_id = ids_.next_above(now, newest_member);
    header.seqno = seqno_.next(false);
    containers_.emplace(header.msg_id, std::move(c));
    if (containers_.size() > max_remembered_containers) containers_.erase(containers_.begin());
  }
  out.msg_id = header.msg_id;
  for (const auto& i : items)
    if (auto it = by_msg_id_.find(i.msg_id); it != by_msg_id_.end()) requests_[it->second].packet_msg_id = header.msg_id;
  seal_packet(out.buffer, head_room, key_, crypto::direction::client_to_server, header, random_);
  return out;
}

std::int64_t client_session::fresh_msg_id(clock::time_point now) {
  // After the clock moved back, the generator may reach ids of requests still in flight (they
  // keep theirs when resent): skip those, two messages of one session must never share an id.
  std::int64_t id = ids_.next(now);
  while (by_msg_id_.count(id)) id = ids_.next(now);
  return id;
}

bool client_session::feed(std::span<std::uint8_t> packet, clock::time_point now, std::vector<event>& events) {
  inflated_.clear();
  inflate_left_ = options_.max_inflated_bytes;
  opened_packet p;
  if (auto ec = open_packet(packet, key_, crypto::direction::server_to_client, p)) {
    events.push_back(failure_event{ec, {}});
    return false;
  }
  if (p.header.session_id != session_id_) {
    events.push_back(failure_event{session_errc::wrong_session, fmt::format("{:#x}", p.header.session_id)});
    return false;
  }
  try {
    handle_message(p.header.msg_id, p.header.seqno, p.body, now, events, 0);
  } catch (const tl::decode_error& e) {
    events.push_back(failure_event{session_errc::malformed_body, e.what()});
  }
  return true;
}

bool client_session::admit(std::int64_t msg_id, std::int32_t seqno, std::span<const std::uint8_t> body,
                           clock::time_point now, std::vector<event>& events, bool may_resync) {
  switch (replay_.check(msg_id, ids_.server_now(now))) {
    case msg_id_verdict::fresh:
      if (seqno & 1) pending_acks_.push_back(msg_id);
      return true;
    case msg_id_verdict::duplicate:
      if (seqno & 1) pending_acks_.push_back(msg_id);  // the server missed our ack
      return false;
    case msg_id_verdict::too_old:
    case msg_id_verdict::too_new:
      // Our clock may be off. A packet that tells us so about a message we have in flight is
      // current (a replay could only name messages long answered): adopt its clock and look again,
      // once: a second miss means the packet itself is out of the window.
      if (may_resync) {
        if (auto sync_id = find_time_sync(msg_id, body)) {
          const msg_id_generator before = ids_;
          if (ids_.sync_to(*sync_id, now)) {
            if (admit(msg_id, seqno, body, now, events, /*may_resync=*/false)) return true;
            ids_ = before;  // the packet is refused after all: it must not have moved our clock
            return false;
          }
        }
      }
      events.push_back(failure_event{session_errc::malformed_body,
                                     fmt::format("msg_id {:#x} outside the time window", msg_id)});
      return false;
    case msg_id_verdict::bad_parity:
      events.push_back(failure_event{session_errc::malformed_body, fmt::format("msg_id {:#x} has client parity", msg_id)});
      return false;
  }
  return false;
}

void client_session::handle_message(std::int64_t msg_id, std::int32_t seqno, std::span<const std::uint8_t> body,
                                    clock::time_point now, std::vector<event>& events, int depth) {
  if (!admit(msg_id, seqno, body, now, events, /*may_resync=*/depth == 0)) return;

  tl::reader r(body, tl::reader_limits{.max_gzip_output = inflate_left_});
  std::uint32_t id = r.read_uint();
  std::span<const std::uint8_t> inner = body;
  if (id == tl::ids::gzip_packed) {
    inner = inflate(r.read_bytes_view());
    r = tl::reader(inner);
    id = r.read_uint();
  }

  switch (id) {
    case msg_container_id: on_container(msg_id, r, now, events, depth); return;
    case rpc_result_id: handle_rpc_result(r, events); return;
    case mt::bad_server_salt::constructor_id: on_bad_server_salt(mt::bad_server_salt::read_bare(r), events); return;
    case mt::bad_msg_notification::constructor_id: {
      const auto m = mt::bad_msg_notification::read_bare(r);
      handle_bad_msg(m.bad_msg_id, m.error_code, msg_id, now, events);
      return;
    }
    case mt::msgs_ack::constructor_id: handle_acks(mt::msgs_ack::read_bare(r).msg_ids, events); return;
    case mt::msgs_state_req::constructor_id: on_msgs_state_req(msg_id, mt::msgs_state_req::read_bare(r)); return;
    case mt::msg_resend_req::constructor_id:
      for (auto resend_id : mt::msg_resend_req::read_bare(r).msg_ids) requeue(resend_id, /*keep_msg_id=*/true);
      return;
    case mt::msg_detailed_info::constructor_id:
      answer_detailed_info(mt::msg_detailed_info::read_bare(r).answer_msg_id);
      return;
    case mt::msg_new_detailed_info::constructor_id:
      answer_detailed_info(mt::msg_new_detailed_info::read_bare(r).answer_msg_id);
      return;
    case mt::new_session_created::constructor_id:
      on_new_session_created(mt::new_session_created::read_bare(r), events);
      return;
    case mt::pong::constructor_id: on_pong(mt::pong::read_bare(r), inner, events); return;
    case mt::future_salts::constructor_id: on_future_salts(mt::future_salts::read_bare(r), inner, now, events); return;
    case mt::msgs_all_info::constructor_id:
    case mt::msgs_state_info::constructor_id:
      return;  // informational; we never ask for them
    default:
      events.push_back(update_event{inner});
      return;
  }
}

void client_session::on_container(std::int64_t container_msg_id, tl::reader& r, clock::time_point now,
                                  std::vector<event>& events, int depth) {
  if (depth > 0) throw tl::decode_error(tl::decode_errc::invalid_value, "nested msg_container");
  // Containers do not nest, so one scratch vector serves every packet.
  parse_container(r, container_scratch_);
  // A container is created after what it holds: its msg_id is greater than every member's.
  for (const auto& m : container_scratch_)
    if (m.msg_id >= container_msg_id)
      throw tl::decode_error(tl::decode_errc::invalid_value, "msg_container member newer than its container");
  for (const auto& m : container_scratch_) handle_message(m.msg_id, m.seqno, m.body, now, events, depth + 1);
}

void client_session::on_bad_server_salt(const mt::bad_server_salt& m, std::vector<event>& events) {
  events.push_back(bad_msg_event{m.bad_msg_id, m.error_code});
  salt_ = m.new_server_salt;
  events.push_back(salt_changed_event{salt_});
  requeue(m.bad_msg_id, /*keep_msg_id=*/false);
}

void client_session::on_msgs_state_req(std::int64_t msg_id, const mt::msgs_state_req& req) {
  mt::msgs_state_info answer{.req_msg_id = msg_id, .info = std::string(req.msg_ids.size(), '\0')};
  for (std::size_t i = 0; i < req.msg_ids.size(); ++i) {
    const auto asked = req.msg_ids[i];
    answer.info[i] = static_cast<char>(replay_.seen(asked)          ? state_received
                                       : asked < replay_.oldest()   ? state_too_low
                                                                    : state_unknown);
  }
  service_queue_.push_back(tl::serialize(answer));
}

void client_session::on_new_session_created(const mt::new_session_created& m, std::vector<event>& events) {
  salt_ = m.server_salt;
  // Requests that went out in packets before the new session's first one were never seen by
  // it. The server names a top-level msg_id, so compare the packet each request went out in.
  std::vector<std::int64_t> lost;
  for (const auto& [mid, rid] : by_msg_id_)
    if (requests_[rid].packet_msg_id < m.first_msg_id) lost.push_back(mid);
  for (auto mid : lost) requeue(mid, /*keep_msg_id=*/false);
  events.push_back(session_created_event{m.first_msg_id, m.unique_id, m.server_salt});
}

void client_session::on_pong(const mt::pong& m, std::span<const std::uint8_t> body, std::vector<event>& events) {
  if (const request_id req = take_request(m.msg_id))
    events.push_back(rpc_result_event{req, body});
  else
    events.push_back(pong_event{0, m.ping_id});
}

void client_session::on_future_salts(const mt::future_salts& m, std::span<const std::uint8_t> body,
                                     clock::time_point now, std::vector<event>& events) {
  std::vector<salt_window> salts;
  salts.reserve(m.salts.size());
  for (const auto& f : m.salts) salts.push_back({f.valid_since, f.valid_until, f.salt});
  remember_future_salts(std::move(salts), now);
  if (const request_id req = take_request(m.req_msg_id)) events.push_back(rpc_result_event{req, body});
}

void client_session::answer_detailed_info(std::int64_t answer_msg_id) {
  // The server says it answered: acknowledge what we have, ask again for what we lost.
  if (replay_.seen(answer_msg_id))
    pending_acks_.push_back(answer_msg_id);
  else
    service_queue_.push_back(tl::serialize(mt::msg_resend_req{.msg_ids = {answer_msg_id}}));
}

request_id client_session::take_request(std::int64_t msg_id) {
  const request_id req = request_by_msg_id(msg_id);
  if (req != 0) {
    forget_msg_id(msg_id);
    requests_.erase(req);
  }
  return req;
}

void client_session::remember_future_salts(std::vector<salt_window> salts, clock::time_point now) {
  future_salts_ = std::move(salts);
  std::sort(future_salts_.begin(), future_salts_.end(),
            [](const auto& a, const auto& b) { return a.valid_since < b.valid_since; });
  pick_salt(now);
}

void client_session::pick_salt(clock::time_point now) {
  if (future_salts_.empty()) return;
  const auto server_now = std::chrono::duration_cast<std::chrono::seconds>(ids_.server_now(now).time_since_epoch()).count();
  // Drop salts that have expired; use the newest one already valid.
  while (!future_salts_.empty() && future_salts_.front().valid_until <= server_now) future_salts_.erase(future_salts_.begin());
  for (const auto& s : future_salts_)
    if (s.valid_since <= server_now) salt_ = s.salt;
}

void client_session::handle_rpc_result(tl::reader& r, std::vector<event>& events) {
  auto v = parse_rpc_result(r);
  const request_id req = take_request(v.req_msg_id);
  if (req == 0) return;  // cancelled, or a duplicate answer

  // The request is answered now; an answer that cannot be read completes it with the reason
  // rather than leaving its caller to wait for a timeout.
  try {
    std::span<const std::uint8_t> result = v.result;
    if (first_word(result) == tl::ids::gzip_packed) {
      tl::reader g(result);
      g.read_uint();
      result = inflate(g.read_bytes_view());
    }
    if (first_word(result) == mt::rpc_error::constructor_id) {
      tl::reader e(result);
      const auto error = mt::rpc_error::read(e);
      events.push_back(rpc_error_event{req, rpc_error::parse(error.error_code, error.error_message)});
      return;
    }
    events.push_back(rpc_result_event{req, result});
  } catch (const tl::decode_error& e) {
    events.push_back(request_failed_event{req, 0, e.code()});
  }
}

void client_session::handle_bad_msg(std::int64_t bad_msg_id, std::int32_t code, std::int64_t server_msg_id,
                                    clock::time_point now, std::vector<event>& events) {
  events.push_back(bad_msg_event{bad_msg_id, code});
  switch (code) {
    case bad_msg_code::msg_id_too_low:
    case bad_msg_code::msg_id_too_high:
      // An absurd server time is not adopted; the request goes out again on our own clock.
      if (!ids_.sync_to(server_msg_id, now))
        events.push_back(failure_event{session_errc::malformed_body,
                                       fmt::format("time sync to an absurd server msg_id {:#x} ignored", server_msg_id)});
      requeue(bad_msg_id, false);
      return;
    case bad_msg_code::msg_id_bad_low_bits:
    case bad_msg_code::msg_id_duplicate:
    case bad_msg_code::msg_too_old:
    case bad_msg_code::bad_server_salt:
      requeue(bad_msg_id, false);
      return;
    case bad_msg_code::seqno_too_low:  // move past what the server has seen
      seqno_.bump(seqno_.content_related_sent() + 16);
      requeue(bad_msg_id, false);
      return;
    default: {  // seqno too high, seqno parity, invalid container: not fixable by resending
      std::vector<std::int64_t> members = {bad_msg_id};
      if (auto c = containers_.find(bad_msg_id); c != containers_.end()) members = c->second.members;
      for (auto mid : members)
        if (const request_id req = take_request(mid)) events.push_back(request_failed_event{req, code, {}});
      return;
    }
  }
}

void client_session::handle_acks(const std::vector<std::int64_t>& msg_ids, std::vector<event>& events) {
  ack_event e;
  for (auto mid : msg_ids) {
    std::vector<std::int64_t> members = {mid};
    if (auto c = containers_.find(mid); c != containers_.end()) members = c->second.members;
    for (auto m : members) {
      const request_id req = request_by_msg_id(m);
      if (req == 0) continue;
      requests_[req].acked = true;
      e.requests.push_back(req);
    }
  }
  if (!e.requests.empty()) events.push_back(std::move(e));
}

std::size_t client_session::requeue(std::int64_t msg_id, bool keep_msg_id) {
  if (auto c = containers_.find(msg_id); c != containers_.end()) {
    const auto members = std::move(c->second.members);
    containers_.erase(c);
    std::size_t n = 0;
    // Reverse order, each pushed to the front: they go out again in their original order.
    for (auto it = members.rbegin(); it != members.rend(); ++it) n += requeue(*it, keep_msg_id);
    return n;
  }
  const request_id req = request_by_msg_id(msg_id);
  if (req == 0) return 0;
  auto& r = requests_[req];
  if (!keep_msg_id) {
    forget_msg_id(msg_id);
    r.msg_id = 0;
  }
  if (std::find(send_queue_.begin(), send_queue_.end(), req) == send_queue_.end()) send_queue_.push_front(req);
  return 1;
}

void client_session::on_reconnect() {
  std::vector<std::pair<std::int64_t, request_id>> in_flight(by_msg_id_.begin(), by_msg_id_.end());
  std::sort(in_flight.begin(), in_flight.end());
  for (auto it = in_flight.rbegin(); it != in_flight.rend(); ++it) {
    if (std::find(send_queue_.begin(), send_queue_.end(), it->second) == send_queue_.end())
      send_queue_.push_front(it->second);
  }
  containers_.clear();
}

std::optional<std::int64_t> client_session::find_time_sync(std::int64_t msg_id, std::span<const std::uint8_t> body) const {
  auto is_sync_notice = [&](std::span<const std::uint8_t> b) {
    if (first_word(b) != mt::bad_msg_notification::constructor_id) return false;
    tl::reader r(b);
    const auto m = mt::bad_msg_notification::read(r);
    return (m.error_code == bad_msg_code::msg_id_too_low || m.error_code == bad_msg_code::msg_id_too_high) &&
           (by_msg_id_.count(m.bad_msg_id) || containers_.count(m.bad_msg_id));
  };
  try {
    if (is_sync_notice(body)) return msg_id;
    if (first_word(body) == msg_container_id) {
      tl::reader r(body);
      r.read_uint();
      for (const auto& m : parse_container(r))
        if (is_sync_notice(m.body)) return m.msg_id;
    }
  } catch (const tl::decode_error&) {
  }
  return std::nullopt;
}

request_id client_session::request_by_msg_id(std::int64_t msg_id) const {
  auto it = by_msg_id_.find(msg_id);
  return it == by_msg_id_.end() ? 0 : it->second;
}

void client_session::forget_msg_id(std::int64_t msg_id) { by_msg_id_.erase(msg_id); }

std::span<const std::uint8_t> client_session::inflate(std::span<const std::uint8_t> packed) {
  // One budget for the whole packet: a frame full of small gzip_packed bombs is as large as one.
  inflated_.push_back(tl::gunzip(packed, inflate_left_));
  inflate_left_ -= inflated_.back().size();
  return inflated_.back();
}

}  // namespace mtproto::session

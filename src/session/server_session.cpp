#include "mtproto/session/server_session.h"

#include <algorithm>

#include <fmt/format.h>

#include "mtproto/mt/BadMsgNotification.h"
#include "mtproto/mt/DestroySessionRes.h"
#include "mtproto/mt/FutureSalts.h"
#include "mtproto/mt/MsgResendReq.h"
#include "mtproto/mt/MsgsAck.h"
#include "mtproto/mt/MsgsAllInfo.h"
#include "mtproto/mt/MsgsStateInfo.h"
#include "mtproto/mt/MsgsStateReq.h"
#include "mtproto/mt/NewSession.h"
#include "mtproto/mt/Pong.h"
#include "mtproto/mt/RpcDropAnswer.h"
#include "mtproto/mt/RpcError.h"
#include "mtproto/mt/fn/destroy_session.h"
#include "mtproto/mt/fn/get_future_salts.h"
#include "mtproto/mt/fn/ping.h"
#include "mtproto/mt/fn/ping_delay_disconnect.h"
#include "mtproto/mt/fn/rpc_drop_answer.h"
#include "mtproto/session/bad_msg_code.h"
#include "mtproto/session/container.h"
#include "mtproto/session/error.h"
#include "mtproto/tl/gzip.h"
#include "mtproto/tl/writer.h"

namespace mtproto::session {
namespace {

// bad_msg_notification codes the server sends.
constexpr std::int32_t bad_msg_id_too_low = bad_msg_code::msg_id_too_low;
constexpr std::int32_t bad_msg_id_too_high = bad_msg_code::msg_id_too_high;
constexpr std::int32_t bad_msg_id_parity = bad_msg_code::msg_id_bad_low_bits;
constexpr std::int32_t bad_msg_salt = bad_msg_code::bad_server_salt;

// Request ids whose answers were sent, for recognising re-sent requests.
constexpr std::size_t max_remembered_answers = 4096;

// Validity of each salt announced through future_salts.
constexpr std::int32_t salt_period_seconds = 3600;
constexpr std::int32_t max_future_salts = 64;


}  // namespace

server_session::server_session(auth_key key, std::int64_t salt, random_source random, server_session_options options)
    : key_(std::move(key)),
      salts_{salt},
      random_(std::move(random)),
      options_(options),
      replay_(/*from_server=*/false, options.replay) {}

void server_session::rotate_salt(std::int64_t salt) {
  salts_.push_front(salt);
  while (salts_.size() > std::max<std::size_t>(1, options_.accepted_salts)) salts_.pop_back();
}

void server_session::feed(std::span<std::uint8_t> packet, clock::time_point now, std::vector<server_event>& events) {
  opened_packet p;
  if (auto ec = open_packet(packet, key_, crypto::direction::client_to_server, p)) {
    events.push_back(failure_event{ec, {}});
    return;
  }
  feed_opened(p, now, events);
}

void server_session::feed_opened(const opened_packet& p, clock::time_point now, std::vector<server_event>& events) {
  inflated_.clear();
  inflate_left_ = options_.max_inflated_bytes;
  if (!has_session_ || p.header.session_id != session_id_) {
    // A new session on this key: fresh counters, and the client learns it must resync.
    has_session_ = true;
    session_id_ = p.header.session_id;
    seqno_.reset();
    replay_.clear();
    answers_.clear();
    answered_.clear();
    answer_order_.clear();
    answer_bytes_ = 0;
    std::int64_t unique_id = 0;
    random_(std::span(reinterpret_cast<std::uint8_t*>(&unique_id), sizeof unique_id));
    outgoing_.push_back({tl::serialize(mt::new_session_created{.first_msg_id = p.header.msg_id, .unique_id = unique_id,
                                                           .server_salt = salts_.front()}),
                         true, msg_kind::server_event});
  }
  if (std::find(salts_.begin(), salts_.end(), p.header.salt) == salts_.end()) {
    bad_msg(p.header.msg_id, p.header.seqno, bad_msg_salt);
    return;
  }
  try {
    handle_message(p.header.msg_id, p.header.seqno, p.body, now, events, 0);
  } catch (const tl::decode_error& e) {
    events.push_back(failure_event{session_errc::malformed_body, e.what()});
  }
}

bool server_session::admit(std::int64_t msg_id, std::int32_t seqno, std::span<const std::uint8_t> body,
                           clock::time_point now, std::vector<server_event>& events) {
  switch (replay_.check(msg_id, now)) {
    case msg_id_verdict::fresh:
      if (seqno & 1) pending_acks_.push_back(msg_id);
      return true;
    case msg_id_verdict::duplicate:
      // A re-sent request: answer again from the cache, never run it twice. Answers too big to
      // keep go back to the application, marked.
      if (auto it = answers_.find(msg_id); it != answers_.end()) {
        outgoing_.push_back({it->second, true, msg_kind::server_response});
      } else if (answered_.count(msg_id)) {
        events.push_back(incoming_request{msg_id, body, /*repeated=*/true});
      }
      return false;
    case msg_id_verdict::too_old: bad_msg(msg_id, seqno, bad_msg_id_too_low); return false;
    case msg_id_verdict::too_new: bad_msg(msg_id, seqno, bad_msg_id_too_high); return false;
    case msg_id_verdict::bad_parity: bad_msg(msg_id, seqno, bad_msg_id_parity); return false;
  }
  return false;
}

void server_session::handle_message(std::int64_t msg_id, std::int32_t seqno, std::span<const std::uint8_t> body,
                                    clock::time_point now, std::vector<server_event>& events, int depth) {
  if (!admit(msg_id, seqno, body, now, events)) return;

  tl::reader r(body);
  std::uint32_t id = r.read_uint();
  std::span<const std::uint8_t> inner = body;
  if (id == tl::ids::gzip_packed) {
    // One budget for the whole packet: a container of many small bombs is as large as one.
    inflated_.push_back(tl::gunzip(r.read_bytes_view(), inflate_left_));
    inflate_left_ -= inflated_.back().size();
    inner = inflated_.back();
    r = tl::reader(inner);
    id = r.read_uint();
  }

  switch (id) {
    case msg_container_id: on_container(r, now, events, depth); return;
    case mt::msgs_ack::constructor_id:
    case mt::msgs_state_info::constructor_id:
    case mt::msgs_all_info::constructor_id:
    case mt::msgs_state_req::constructor_id:
    case mt::msg_resend_req::constructor_id:
      // Delivery of our messages is not tracked beyond the answer cache: a client that lost an
      // answer re-sends its request and gets the answer again.
      return;
    // What the session answers itself goes out in the same finalize(): the answer is its
    // acknowledgement, as on the real service (clients such as mtcute warn about an msgs_ack for a
    // ping, a message they expect only a pong for).
    case mt::ping::constructor_id:
      answered_at_once(msg_id);
      pong(msg_id, mt::ping::read_bare(r).ping_id);
      return;
    case mt::ping_delay_disconnect::constructor_id: {
      answered_at_once(msg_id);
      const auto ping = mt::ping_delay_disconnect::read_bare(r);
      events.push_back(disconnect_after{std::chrono::seconds(ping.disconnect_delay)});
      pong(msg_id, ping.ping_id);
      return;
    }
    case mt::get_future_salts::constructor_id:
      answered_at_once(msg_id);
      on_get_future_salts(msg_id, mt::get_future_salts::read_bare(r), now);
      return;
    case mt::destroy_session::constructor_id:
      answered_at_once(msg_id);
      on_destroy_session(msg_id, mt::destroy_session::read_bare(r));
      return;
    case mt::rpc_drop_answer::constructor_id:
      answered_at_once(msg_id);
      reply(msg_id, tl::serialize(mt::RpcDropAnswer(mt::rpc_answer_unknown{})));
      return;
    default:
      events.push_back(incoming_request{msg_id, inner});
      return;
  }
}

void server_session::on_container(tl::reader& r, clock::time_point now, std::vector<server_event>& events, int depth) {
  if (depth > 0) throw tl::decode_error(tl::decode_errc::invalid_value, "nested msg_container");
  // Containers do not nest, so one scratch vector serves every packet.
  parse_container(r, container_scratch_);
  for (const auto& m : container_scratch_) handle_message(m.msg_id, m.seqno, m.body, now, events, depth + 1);
}

void server_session::answered_at_once(std::int64_t msg_id) noexcept {
  // admit() has just queued its ack (if it was content-related): it is the last one.
  if (!pending_acks_.empty() && pending_acks_.back() == msg_id) pending_acks_.pop_back();
}

void server_session::pong(std::int64_t ping_msg_id, std::int64_t ping_id) {
  outgoing_.push_back({tl::serialize(mt::pong{.msg_id = ping_msg_id, .ping_id = ping_id}), false,
                       msg_kind::server_response});
}

void server_session::on_get_future_salts(std::int64_t msg_id, const mt::get_future_salts& req, clock::time_point now) {
  const std::int32_t num = std::clamp(req.num, 1, max_future_salts);
  const auto server_now = static_cast<std::int32_t>(msg_id_seconds(msg_id_at(now)));
  mt::future_salts answer{.req_msg_id = msg_id, .now = server_now, .salts = {}};
  for (std::int32_t i = 0; i < num; ++i) {
    const auto index = static_cast<std::size_t>(i);
    answer.salts.push_back({.valid_since = server_now + i * salt_period_seconds,
                            .valid_until = server_now + (i + 1) * salt_period_seconds,
                            .salt = index < salts_.size() ? salts_[index] : salts_.front()});
  }
  outgoing_.push_back({tl::serialize(answer), false, msg_kind::server_response});
}

void server_session::on_destroy_session(std::int64_t msg_id, const mt::destroy_session& req) {
  if (req.session_id == session_id_)
    reply(msg_id, tl::serialize(mt::DestroySessionRes(mt::destroy_session_none{.session_id = req.session_id})));
  else
    reply(msg_id, tl::serialize(mt::DestroySessionRes(mt::destroy_session_ok{.session_id = req.session_id})));
}

void server_session::bad_msg(std::int64_t msg_id, std::int32_t seqno, std::int32_t code) {
  if (code == bad_msg_salt)
    outgoing_.push_back({tl::serialize(mt::bad_server_salt{.bad_msg_id = msg_id, .bad_msg_seqno = seqno, .error_code = code,
                                                       .new_server_salt = salts_.front()}),
                         false, msg_kind::server_event});
  else
    outgoing_.push_back({tl::serialize(mt::bad_msg_notification{.bad_msg_id = msg_id, .bad_msg_seqno = seqno,
                                                            .error_code = code}),
                         false, msg_kind::server_event});
}

void server_session::reply(std::int64_t req_msg_id, std::span<const std::uint8_t> result) {
  const std::size_t front = options_.max_head_room + packet_prefix;
  std::vector<std::uint8_t> body;
  body.reserve(front + 12 + result.size() + max_padding);
  body.resize(front);
  tl::writer w(body);
  write_rpc_result(w, req_msg_id, result);
  remember_answer(req_msg_id, std::span(body).subspan(front));
  outgoing_.push_back({std::move(body), true, msg_kind::server_response, front});
}

void server_session::reply_error(std::int64_t req_msg_id, std::int32_t code, std::string_view message) {
  reply(req_msg_id, tl::serialize(mt::rpc_error{.error_code = code, .error_message = std::string(message)}));
}

void server_session::push(std::vector<std::uint8_t> body, bool content_related) {
  outgoing_.push_back({std::move(body), content_related, msg_kind::server_event});
}

void server_session::remember_answer(std::int64_t req_msg_id, std::span<const std::uint8_t> body) {
  answered_.insert(req_msg_id);
  if (answered_.size() > max_remembered_answers) answered_.erase(answered_.begin());
  if (body.size() > options_.max_cached_answer || body.size() > options_.answer_cache_bytes) return;
  answers_[req_msg_id].assign(body.begin(), body.end());
  answer_order_.push_back(req_msg_id);
  answer_bytes_ += body.size();
  while (answer_bytes_ > options_.answer_cache_bytes && !answer_order_.empty()) {
    auto it = answers_.find(answer_order_.front());
    if (it != answers_.end()) {
      answer_bytes_ -= it->second.size();
      answers_.erase(it);
    }
    answer_order_.pop_front();
  }
}

std::optional<std::pair<outgoing_packet, packet_header>> server_session::build_packet(
    clock::time_point now, std::size_t head_room, std::size_t max_container_bytes) {
  if (!has_outgoing()) return std::nullopt;
  struct item {
    std::int64_t msg_id;
    std::int32_t seqno;
    std::vector<std::uint8_t> body;
    std::size_t front = 0;
    std::span<const std::uint8_t> message() const { return std::span(body).subspan(front); }
  };
  std::vector<item> items;
  if (!pending_acks_.empty()) {
    items.push_back({ids_.next(now, msg_kind::server_event), seqno_.next(false),
                     tl::serialize(mt::msgs_ack{.msg_ids = std::move(pending_acks_)})});
    pending_acks_.clear();
  }
  // One packet per finalize() at most max_container_messages and max_container_bytes, like the
  // client (the first message always goes, whatever its size).
  std::size_t total = items.empty() ? 0 : container_item_header + items[0].message().size();
  while (!outgoing_.empty() && items.size() + 1 < max_container_messages) {
    const std::size_t size = container_item_header + outgoing_.front().body.size() - outgoing_.front().front;
    if (!items.empty() && total + size > max_container_bytes) break;
    queued q = std::move(outgoing_.front());
    outgoing_.pop_front();
    total += size;
    items.push_back({ids_.next(now, q.kind), seqno_.next(q.content_related), std::move(q.body), q.front});
  }

  outgoing_packet out;
  packet_header header{salts_.front(), session_id_, 0, 0};
  if (items.size() == 1 && items[0].front >= head_room + packet_prefix) {
    // A lone answer built with room in front: encrypt it where it lies.
    header.msg_id = items[0].msg_id;
    header.seqno = items[0].seqno;
    out.head_room = items[0].front - packet_prefix;
    out.buffer = std::move(items[0].body);
  } else if (items.size() == 1) {
    header.msg_id = items[0].msg_id;
    header.seqno = items[0].seqno;
    out.head_room = head_room;
    out.buffer.resize(head_room + packet_prefix);
    tl::writer(out.buffer).write_raw(items[0].message());
  } else {
    out.head_room = head_room;
    out.buffer.resize(head_room + packet_prefix);
    tl::writer w(out.buffer);
    std::vector<message_view> views;
    views.reserve(items.size());
    for (const auto& i : items) views.push_back({i.msg_id, i.seqno, i.message()});
    write_container(w, views);
    header.msg_id = ids_.next(now, msg_kind::server_event);
    header.seqno = seqno_.next(false);
  }
  out.msg_id = header.msg_id;
  return std::pair{std::move(out), header};
}

std::optional<outgoing_packet> server_session::finalize(clock::time_point now, std::size_t head_room) {
  auto built = build_packet(now, head_room, options_.max_container_bytes);
  if (!built) return std::nullopt;
  auto& [out, header] = *built;
  seal_packet(out.buffer, out.head_room, key_, crypto::direction::server_to_client, header, random_);
  return std::move(out);
}

std::vector<outgoing_packet> server_session::finalize_all(clock::time_point now, std::size_t head_room) {
  std::vector<outgoing_packet> packets;
  std::vector<packet_to_seal> seal;
  const auto container_bytes = std::min(options_.max_container_bytes, options_.max_batched_container_bytes);
  while (auto built = build_packet(now, head_room, container_bytes)) {
    seal.push_back({nullptr, built->first.head_room, built->second});
    packets.push_back(std::move(built->first));
  }
  for (std::size_t i = 0; i < packets.size(); ++i) seal[i].buffer = &packets[i].buffer;
  seal_packets(seal, key_, crypto::direction::server_to_client, random_);
  return packets;
}

}  // namespace mtproto::session

#include "mtproto/session/server_session.h"

#include <algorithm>

#include <fmt/format.h>

#include "mtproto/session/container.h"
#include "mtproto/session/error.h"
#include "mtproto/session/service_ids.h"
#include "mtproto/tl/gzip.h"
#include "mtproto/tl/writer.h"

namespace mtproto::session {
namespace {

constexpr std::uint32_t destroy_session_ok = 0xe22045fc;
constexpr std::uint32_t destroy_session_none = 0x62d350c9;
constexpr std::uint32_t future_salt = 0x0949d9dc;
constexpr std::uint32_t rpc_answer_unknown = 0x5e2ad36e;

// bad_msg_notification codes the server sends.
constexpr std::int32_t bad_msg_id_too_low = 16;
constexpr std::int32_t bad_msg_id_too_high = 17;
constexpr std::int32_t bad_msg_id_parity = 18;
constexpr std::int32_t bad_msg_salt = 48;

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
  inflated_.clear();
  opened_packet p;
  if (auto ec = open_packet(packet, key_, crypto::direction::client_to_server, p)) {
    events.push_back(failure_event{ec, {}});
    return;
  }
  if (!has_session_ || p.header.session_id != session_id_) {
    // A new session on this key: fresh counters, and the client learns it must resync.
    has_session_ = true;
    session_id_ = p.header.session_id;
    seqno_.reset();
    replay_.clear();
    answers_.clear();
    answer_order_.clear();
    answer_bytes_ = 0;
    std::int64_t unique_id = 0;
    random_(std::span(reinterpret_cast<std::uint8_t*>(&unique_id), sizeof unique_id));
    std::vector<std::uint8_t> body;
    tl::writer w(body);
    w.write_uint(ids::new_session_created);
    w.write_long(p.header.msg_id);
    w.write_long(unique_id);
    w.write_long(salts_.front());
    outgoing_.push_back({std::move(body), true, msg_kind::server_event});
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

void server_session::handle_message(std::int64_t msg_id, std::int32_t seqno, std::span<const std::uint8_t> body,
                                    clock::time_point now, std::vector<server_event>& events, int depth) {
  switch (replay_.check(msg_id, now)) {
    case msg_id_verdict::fresh: break;
    case msg_id_verdict::duplicate:
      // A re-sent request: answer again from the cache, never run it twice.
      if (auto it = answers_.find(msg_id); it != answers_.end())
        outgoing_.push_back({it->second, true, msg_kind::server_response});
      return;
    case msg_id_verdict::too_old: bad_msg(msg_id, seqno, bad_msg_id_too_low); return;
    case msg_id_verdict::too_new: bad_msg(msg_id, seqno, bad_msg_id_too_high); return;
    case msg_id_verdict::bad_parity: bad_msg(msg_id, seqno, bad_msg_id_parity); return;
  }
  if (seqno & 1) pending_acks_.push_back(msg_id);

  tl::reader r(body);
  std::uint32_t id = r.read_uint();
  std::span<const std::uint8_t> inner = body;
  if (id == tl::ids::gzip_packed) {
    inflated_.push_back(tl::gunzip(r.read_bytes_view(), options_.max_inflated_bytes));
    inner = inflated_.back();
    r = tl::reader(inner);
    id = r.read_uint();
  }

  switch (id) {
    case ids::msg_container:
      if (depth > 0) throw tl::decode_error(tl::decode_errc::invalid_value, "nested msg_container");
      // Containers do not nest, so one scratch vector serves every packet.
      parse_container(r, container_scratch_);
      for (const auto& m : container_scratch_) handle_message(m.msg_id, m.seqno, m.body, now, events, depth + 1);
      return;
    case ids::msgs_ack:
    case ids::msgs_state_info:
    case ids::msgs_all_info:
      return;  // we do not track delivery of our own messages beyond the answer cache
    case ids::ping:
    case ids::ping_delay_disconnect: {
      const std::int64_t ping_id = r.read_long();
      if (id == ids::ping_delay_disconnect) events.push_back(disconnect_after{std::chrono::seconds(r.read_int())});
      std::vector<std::uint8_t> pong;
      tl::writer w(pong);
      w.write_uint(ids::pong);
      w.write_long(msg_id);
      w.write_long(ping_id);
      outgoing_.push_back({std::move(pong), false, msg_kind::server_response});
      return;
    }
    case ids::get_future_salts: {
      const std::int32_t num = std::clamp(r.read_int(), 1, max_future_salts);
      const auto server_now = static_cast<std::int32_t>(msg_id_seconds(msg_id_at(now)));
      std::vector<std::uint8_t> answer;
      tl::writer w(answer);
      w.write_uint(ids::future_salts);
      w.write_long(msg_id);
      w.write_int(server_now);
      w.write_count(static_cast<std::size_t>(num));  // bare vector<future_salt>
      for (std::int32_t i = 0; i < num; ++i) {
        w.write_uint(future_salt);
        w.write_int(server_now + i * salt_period_seconds);
        w.write_int(server_now + (i + 1) * salt_period_seconds);
        w.write_long(i < static_cast<std::int32_t>(salts_.size()) ? salts_[static_cast<std::size_t>(i)] : salts_.front());
      }
      outgoing_.push_back({std::move(answer), false, msg_kind::server_response});
      return;
    }
    case ids::destroy_session: {
      const std::int64_t which = r.read_long();
      std::vector<std::uint8_t> answer;
      tl::writer w(answer);
      w.write_uint(which == session_id_ ? destroy_session_none : destroy_session_ok);
      w.write_long(which);
      reply(msg_id, answer);
      return;
    }
    case ids::rpc_drop_answer: {
      std::vector<std::uint8_t> answer;
      tl::writer(answer).write_uint(rpc_answer_unknown);
      reply(msg_id, answer);
      return;
    }
    case ids::msgs_state_req:
    case ids::msg_resend_req:
      return;  // answers are resent from the cache when the client re-sends its request
    default:
      events.push_back(incoming_request{msg_id, inner});
      return;
  }
}

void server_session::bad_msg(std::int64_t msg_id, std::int32_t seqno, std::int32_t code) {
  std::vector<std::uint8_t> body;
  tl::writer w(body);
  w.write_uint(code == bad_msg_salt ? ids::bad_server_salt : ids::bad_msg_notification);
  w.write_long(msg_id);
  w.write_int(seqno);
  w.write_int(code);
  if (code == bad_msg_salt) w.write_long(salts_.front());
  outgoing_.push_back({std::move(body), false, msg_kind::server_event});
}

void server_session::reply(std::int64_t req_msg_id, std::span<const std::uint8_t> result) {
  std::vector<std::uint8_t> body;
  body.reserve(12 + result.size());
  tl::writer w(body);
  write_rpc_result(w, req_msg_id, result);
  remember_answer(req_msg_id, body);
  outgoing_.push_back({std::move(body), true, msg_kind::server_response});
}

void server_session::reply_error(std::int64_t req_msg_id, std::int32_t code, std::string_view message) {
  std::vector<std::uint8_t> error;
  tl::writer w(error);
  w.write_uint(ids::rpc_error);
  w.write_int(code);
  w.write_string(message);
  reply(req_msg_id, error);
}

void server_session::push(std::vector<std::uint8_t> body, bool content_related) {
  outgoing_.push_back({std::move(body), content_related, msg_kind::server_event});
}

void server_session::remember_answer(std::int64_t req_msg_id, const std::vector<std::uint8_t>& body) {
  if (body.size() > options_.answer_cache_bytes) return;
  answers_[req_msg_id] = body;
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

std::optional<outgoing_packet> server_session::finalize(clock::time_point now, std::size_t head_room) {
  if (!has_outgoing()) return std::nullopt;
  struct item {
    std::int64_t msg_id;
    std::int32_t seqno;
    std::vector<std::uint8_t> body;
  };
  std::vector<item> items;
  if (!pending_acks_.empty()) {
    std::vector<std::uint8_t> ack;
    tl::writer w(ack);
    w.write_uint(ids::msgs_ack);
    w.write_vector_header(pending_acks_.size());
    for (auto id : pending_acks_) w.write_long(id);
    pending_acks_.clear();
    items.push_back({ids_.next(now, msg_kind::server_event), seqno_.next(false), std::move(ack)});
  }
  // One packet per finalize() at most max_container_messages, like the client.
  while (!outgoing_.empty() && items.size() + 1 < max_container_messages) {
    queued q = std::move(outgoing_.front());
    outgoing_.pop_front();
    items.push_back({ids_.next(now, q.kind), seqno_.next(q.content_related), std::move(q.body)});
  }

  outgoing_packet out;
  out.head_room = head_room;
  out.buffer.resize(head_room + packet_prefix);
  tl::writer w(out.buffer);
  packet_header header{salts_.front(), session_id_, 0, 0};
  if (items.size() == 1) {
    header.msg_id = items[0].msg_id;
    header.seqno = items[0].seqno;
    w.write_raw(items[0].body);
  } else {
    std::vector<message_view> views;
    views.reserve(items.size());
    for (const auto& i : items) views.push_back({i.msg_id, i.seqno, i.body});
    write_container(w, views);
    header.msg_id = ids_.next(now, msg_kind::server_event);
    header.seqno = seqno_.next(false);
  }
  out.msg_id = header.msg_id;
  seal_packet(out.buffer, head_room, key_, crypto::direction::server_to_client, header, random_);
  return out;
}

}  // namespace mtproto::session

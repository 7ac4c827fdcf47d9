// Client and server sessions talking to each other in memory.
#include <catch2/catch.hpp>

#include <deque>
#include <set>

#include "mtproto/session/client_session.h"
#include "mtproto/session/container.h"
#include "mtproto/session/encrypted_packet.h"
#include "mtproto/session/error.h"
#include "mtproto/session/server_session.h"
#include "mtproto/mt/BadMsgNotification.h"
#include "mtproto/mt/FutureSalts.h"
#include "mtproto/mt/MsgsStateReq.h"
#include "mtproto/mt/Pong.h"
#include "mtproto/mt/fn/destroy_session.h"
#include "mtproto/mt/fn/get_future_salts.h"
#include "mtproto/mt/fn/ping.h"
#include "mtproto/tl/gzip.h"
#include "mtproto/tl/writer.h"
#include "session_support.h"

using namespace mtproto;
using namespace mtproto::session;
using namespace mtproto::session_test;

namespace {

struct pair_fixture {
  auth_key key = make_key(7);
  client_session client{key, /*session_id=*/0x5e55, /*salt=*/0x5a17, seeded(1)};
  server_session server{key, /*salt=*/0x5a17, seeded(2)};
  clock::time_point client_now = t0;
  clock::time_point server_now = t0;
  int server_requests_seen = 0;
  int server_repeats_seen = 0;
  std::size_t answer_padding = 0;  // extra bytes appended to answers (to exceed the answer cache)
  std::vector<event> client_events;

  // The application on the server: answer every request.
  void serve(std::vector<server_event>& events) {
    for (auto& e : events) {
      if (auto* req = std::get_if<incoming_request>(&e)) {
        ++(req->repeated ? server_repeats_seen : server_requests_seen);
        auto answer = answer_for(req->body);
        answer.resize(answer.size() + answer_padding);
        server.reply(req->msg_id, answer);
      }
    }
  }
  // Client -> server, one packet. Returns false when there was nothing to send.
  bool client_to_server(bool deliver = true) {
    auto p = client.finalize(client_now);
    if (!p) return false;
    if (!deliver) return true;
    std::vector<server_event> events;
    server.feed(p->bytes(), server_now, events);
    serve(events);
    return true;
  }
  bool server_to_client(bool deliver = true) {
    auto p = server.finalize(server_now);
    if (!p) return false;
    if (deliver) feed_client(p->bytes());
    return true;
  }
  // Views in events die with the packet and the next feed(); the tests keep copies.
  std::deque<std::vector<std::uint8_t>> kept;
  void feed_client(std::span<std::uint8_t> packet) {
    const std::size_t first = client_events.size();
    client.feed(packet, client_now, client_events);
    for (std::size_t i = first; i < client_events.size(); ++i) {
      if (auto* r = std::get_if<rpc_result_event>(&client_events[i])) {
        kept.emplace_back(r->result.begin(), r->result.end());
        r->result = kept.back();
      }
    }
  }
  void run(int rounds = 8) {
    for (int i = 0; i < rounds; ++i) {
      const bool a = client_to_server();
      const bool b = server_to_client();
      if (!a && !b) break;
    }
  }
};

}  // namespace

TEST_CASE("a request and its answer travel through both sessions") {
  pair_fixture f;
  const auto id = f.client.push(request_body(41));
  CHECK(f.client.has_outgoing());
  f.run();
  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == id);
  CHECK(answer_payload(results[0].result) == 42);
  CHECK(f.client.pending_requests() == 0);
  auto created = of_type<session_created_event>(f.client_events);
  REQUIRE(created.size() == 1);
  CHECK(created[0].server_salt == 0x5a17);
}

TEST_CASE("several requests share one container and each gets its own answer") {
  pair_fixture f;
  std::vector<request_id> ids;
  for (int i = 0; i < 50; ++i) ids.push_back(f.client.push(request_body(i * 10)));
  REQUIRE(f.client_to_server());
  CHECK(f.server_requests_seen == 50);  // one packet carried all of them
  f.run();
  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 50);
  for (const auto& r : results) {
    const auto idx = static_cast<std::int64_t>(std::find(ids.begin(), ids.end(), r.request) - ids.begin());
    CHECK(answer_payload(r.result) == idx * 10 + 1);
  }
  // new_session_created names the container's msg_id; nothing inside it may be sent twice.
  CHECK(f.server_requests_seen == 50);
}

TEST_CASE("bad_server_salt: the client takes the new salt and re-sends") {
  pair_fixture f;
  f.client.push(request_body(1));
  f.run();
  f.client_events.clear();
  f.server.rotate_salt(0x0bad);
  f.server.rotate_salt(0x600d);  // 0x5a17 falls out of the accepted set
  const auto id = f.client.push(request_body(100));
  f.run();
  CHECK(f.client.salt() == 0x600d);
  CHECK(of_type<salt_changed_event>(f.client_events).size() == 1);
  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == id);
  CHECK(answer_payload(results[0].result) == 101);
}

TEST_CASE("gzip_packed answers and requests are inflated") {
  pair_fixture f;
  // Request wrapped in gzip_packed by the client.
  auto inner = request_body(5);
  std::vector<std::uint8_t> packed;
  tl::writer w(packed);
  w.write_uint(tl::ids::gzip_packed);
  w.write_bytes(tl::gzip(inner));
  f.client.push(packed);
  f.run();
  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 1);
  CHECK(answer_payload(results[0].result) == 6);

  // Answer wrapped in gzip_packed by the server.
  f.client_events.clear();
  const auto id = f.client.push(request_body(9));
  auto p = f.client.finalize(f.client_now);
  std::vector<server_event> se;
  f.server.feed(p->bytes(), f.server_now, se);
  auto* req = std::get_if<incoming_request>(&se.at(0));
  REQUIRE(req);
  std::vector<std::uint8_t> gz;
  tl::writer gw(gz);
  gw.write_uint(tl::ids::gzip_packed);
  gw.write_bytes(tl::gzip(answer_for(req->body)));
  f.server.reply(req->msg_id, gz);
  f.server_to_client();
  results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == id);
  CHECK(answer_payload(results[0].result) == 10);
}

TEST_CASE("rpc_error reaches the caller parsed") {
  pair_fixture f;
  const auto id = f.client.push(request_body(1));
  auto p = f.client.finalize(f.client_now);
  std::vector<server_event> se;
  f.server.feed(p->bytes(), f.server_now, se);
  f.server.reply_error(std::get<incoming_request>(se.at(0)).msg_id, 420, "FLOOD_WAIT_31");
  f.server_to_client();
  auto errors = of_type<rpc_error_event>(f.client_events);
  REQUIRE(errors.size() == 1);
  CHECK(errors[0].request == id);
  CHECK(errors[0].error.code == 420);
  CHECK(errors[0].error.type == "FLOOD_WAIT");
  CHECK(errors[0].error.wait() == 31s);
}

TEST_CASE("a lost request is re-sent after reconnect") {
  pair_fixture f;
  const auto id = f.client.push(request_body(70));
  REQUIRE(f.client_to_server(/*deliver=*/false));
  CHECK_FALSE(f.client.has_outgoing());
  f.client.on_reconnect();
  CHECK(f.client.has_outgoing());
  f.run();
  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == id);
  CHECK(f.server_requests_seen == 1);
}

TEST_CASE("a lost answer is recovered without running the request twice") {
  pair_fixture f;
  const auto id = f.client.push(request_body(80));
  REQUIRE(f.client_to_server());
  CHECK(f.server_requests_seen == 1);
  REQUIRE(f.server_to_client(/*deliver=*/false));  // the answer is lost with the connection
  f.client.on_reconnect();
  f.run();
  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == id);
  CHECK(answer_payload(results[0].result) == 81);
  CHECK(f.server_requests_seen == 1);  // answered from the server's cache
}

TEST_CASE("a lost answer too big to keep comes back to the application as a repeated request") {
  pair_fixture f;
  f.answer_padding = 256 * 1024;
  const auto id = f.client.push(request_body(90));
  REQUIRE(f.client_to_server());
  REQUIRE(f.server_to_client(/*deliver=*/false));
  f.client.on_reconnect();
  f.run();
  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == id);
  CHECK(answer_payload(results[0].result) == 91);
  CHECK(results[0].result.size() == 12 + 256 * 1024);
  CHECK(f.server_requests_seen == 1);
  CHECK(f.server_repeats_seen == 1);
}

TEST_CASE("a replayed server packet is ignored") {
  pair_fixture f;
  f.client.push(request_body(1));
  REQUIRE(f.client_to_server());
  auto p = f.server.finalize(f.server_now);
  REQUIRE(p);
  auto copy = p->buffer;
  f.feed_client(p->bytes());
  REQUIRE(of_type<rpc_result_event>(f.client_events).size() == 1);
  f.client_events.clear();
  f.feed_client(std::span(copy).subspan(p->head_room));
  CHECK(of_type<rpc_result_event>(f.client_events).empty());
  CHECK(of_type<session_created_event>(f.client_events).empty());
}

TEST_CASE("client clock skew of an hour is corrected through bad_msg_notification") {
  for (auto skew : {3600s, -3600s}) {
    pair_fixture f;
    f.client_now = t0 + skew;
    const auto id = f.client.push(request_body(3));
    f.run();
    auto bad = of_type<bad_msg_event>(f.client_events);
    REQUIRE_FALSE(bad.empty());
    CHECK(bad[0].error_code == (skew > 0s ? 17 : 16));
    CHECK(std::chrono::abs(f.client.clock_sync().offset() + skew) < 2s);
    auto results = of_type<rpc_result_event>(f.client_events);
    REQUIRE(results.size() == 1);
    CHECK(results[0].request == id);
    CHECK(answer_payload(results[0].result) == 4);
  }
}

TEST_CASE("corrupt, foreign and truncated packets are typed failures that change nothing") {
  pair_fixture f;
  const auto id = f.client.push(request_body(11));
  REQUIRE(f.client_to_server());
  auto p = f.server.finalize(f.server_now);
  REQUIRE(p);
  const auto good = std::vector<std::uint8_t>(p->bytes().begin(), p->bytes().end());

  auto expect_failure = [&](std::vector<std::uint8_t> bytes, session_errc code) {
    std::vector<event> events;
    CHECK_FALSE(f.client.feed(bytes, f.client_now, events));  // not authentic
    REQUIRE(events.size() == 1);
    auto* fail = std::get_if<failure_event>(&events[0]);
    REQUIRE(fail);
    CHECK(fail->error == code);
  };
  for (std::size_t pos : {std::size_t{30}, good.size() / 2, good.size() - 1}) {
    auto bad = good;
    bad[pos] ^= 0x40;
    expect_failure(bad, session_errc::msg_key_mismatch);
  }
  auto bad_key = good;
  bad_key[0] ^= 1;
  expect_failure(bad_key, session_errc::unknown_auth_key);
  auto bad_msg_key = good;
  bad_msg_key[10] ^= 1;
  expect_failure(bad_msg_key, session_errc::msg_key_mismatch);
  expect_failure(std::vector<std::uint8_t>(good.begin(), good.begin() + 40), session_errc::packet_too_short);
  // A lost tail: the partial block is taken for transport padding and the msg_key check fails.
  expect_failure(std::vector<std::uint8_t>(good.begin(), good.end() - 4), session_errc::msg_key_mismatch);

  // The genuine packet still works afterwards, even with padded-intermediate junk after it.
  auto genuine = good;
  genuine.insert(genuine.end(), {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15});
  f.feed_client(genuine);
  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == id);
}

TEST_CASE("a packet encrypted by a client is refused by a client (direction matters)") {
  pair_fixture f;
  f.client.push(request_body(1));
  auto p = f.client.finalize(f.client_now);
  std::vector<event> events;
  client_session other(f.key, 0x5e55, 0x5a17, seeded(3));
  other.feed(p->bytes(), f.client_now, events);
  REQUIRE(events.size() == 1);
  CHECK(std::get<failure_event>(events[0]).error == session_errc::msg_key_mismatch);
}

TEST_CASE("acks: the server acknowledges content-related messages, the client reports them") {
  pair_fixture f;
  const auto id = f.client.push(request_body(1));
  REQUIRE(f.client_to_server());
  // The server acks before answering (an ack alone, as a slow request would get).
  auto& server = f.server;
  auto p = server.finalize(f.server_now);  // ack + answer together
  REQUIRE(p);
  f.feed_client(p->bytes());
  REQUIRE(of_type<rpc_result_event>(f.client_events).size() == 1);
  CHECK(of_type<rpc_result_event>(f.client_events)[0].request == id);
  // The client now owes acks for the server's content-related messages; they go out with the next
  // packet and the server accepts them silently.
  const auto next = f.client.push(request_body(2));
  auto q = f.client.finalize(f.client_now);
  REQUIRE(q);
  std::vector<server_event> se;
  f.server.feed(q->bytes(), f.server_now, se);
  REQUIRE(se.size() == 1);  // only the request; the msgs_ack was consumed by the session
  CHECK(std::holds_alternative<incoming_request>(se[0]));
  (void)next;
}

TEST_CASE("ping is answered by the server session with pong, delivered as the ping's result") {
  pair_fixture f;
  std::vector<std::uint8_t> ping;
  tl::writer w(ping);
  mt::ping{.ping_id = 0x77}.write(w);
  const auto id = f.client.push(ping);
  f.run();
  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == id);
  tl::reader r(results[0].result);
  CHECK(mt::ping::read_result(r).get_if<mt::pong>()->ping_id == 0x77);
  CHECK(f.server_requests_seen == 0);
  // The pong is the ping's acknowledgement: no msgs_ack for it (mtcute warns about one).
  CHECK(of_type<ack_event>(f.client_events).empty());
}

TEST_CASE("what the server session answers itself is not also acknowledged") {
  pair_fixture f;
  std::vector<std::uint8_t> body;
  tl::writer w(body);
  mt::destroy_session{.session_id = 12345}.write(w);
  f.client.push(body);
  std::vector<std::uint8_t> salts;
  tl::writer ws(salts);
  mt::get_future_salts{.num = 2}.write(ws);
  f.client.push(salts);
  const auto slow = f.client.push(request_body(7));  // an RPC: acknowledged (its answer may be slow)
  f.run();
  const auto acks = of_type<ack_event>(f.client_events);
  std::vector<request_id> acked;
  for (const auto& a : acks) acked.insert(acked.end(), a.requests.begin(), a.requests.end());
  CHECK(acked == std::vector<request_id>{slow});
}

TEST_CASE("send_once: a keep-alive ping goes out once, is never re-sent, and its pong is an event") {
  pair_fixture f;
  std::vector<std::uint8_t> ping;
  tl::writer w(ping);
  mt::ping{.ping_id = 0x99}.write(w);
  f.client.send_once(ping);
  CHECK(f.client.has_outgoing());
  CHECK(f.client.pending_requests() == 0);
  REQUIRE(f.client_to_server(/*deliver=*/false));  // lost with its connection
  f.client.on_reconnect();
  CHECK_FALSE(f.client.has_outgoing());  // not re-sent on the next connection

  f.client.send_once(ping);
  f.run();
  auto pongs = of_type<pong_event>(f.client_events);
  REQUIRE(pongs.size() == 1);
  CHECK(pongs[0].request == 0);
  CHECK(pongs[0].ping_id == 0x99);
  CHECK(of_type<rpc_result_event>(f.client_events).empty());
}

TEST_CASE("future_salts are answered by the server and adopted by the client") {
  pair_fixture f;
  f.client.push(request_body(1));
  f.run();
  f.server.rotate_salt(0x2222);  // the server's newest salt becomes the first announced
  std::vector<std::uint8_t> get;
  tl::writer w(get);
  mt::get_future_salts{.num = 3}.write(w);
  const auto id = f.client.push(get);
  f.run();
  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 2);
  CHECK(results[1].request == id);
  tl::reader r(results[1].result);
  const auto salts = mt::get_future_salts::read_result(r);
  REQUIRE(salts.get_if<mt::future_salts>()->salts.size() == 3);
  CHECK(salts.get_if<mt::future_salts>()->salts[0].salt == 0x2222);
  // The next packet goes out with the announced salt, no bad_server_salt round trip needed.
  f.client.push(request_body(2));
  auto p = f.client.finalize(f.client_now);
  REQUIRE(p);
  CHECK(f.client.salt() == 0x2222);
}

TEST_CASE("msgs_state_req from the server is answered") {
  pair_fixture f;
  f.client.push(request_body(1));
  f.run();
  CHECK_FALSE(f.client.has_outgoing());
  std::vector<std::uint8_t> req;
  tl::writer w(req);
  mt::msgs_state_req{.msg_ids = {12345}}.write(w);
  f.server.push(req);
  f.server_to_client();
  CHECK(f.client.has_outgoing());
  auto p = f.client.finalize(f.client_now);
  REQUIRE(p);
}

TEST_CASE("cancelled requests are not sent and their answers are dropped") {
  pair_fixture f;
  const auto a = f.client.push(request_body(1));
  const auto b = f.client.push(request_body(2));
  f.client.cancel(a);
  f.run();
  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == b);
  CHECK(f.server_requests_seen == 1);
}

namespace {

/// A correctly sealed server->client packet with `body` as message `msg_id`.
std::vector<std::uint8_t> sealed_from_server(const pair_fixture& f, std::int64_t msg_id, std::span<const std::uint8_t> body) {
  const packet_header h{.salt = 0x5a17, .session_id = 0x5e55, .msg_id = msg_id, .seqno = 0};
  return sealed(f.key, crypto::direction::server_to_client, h, body);
}

std::vector<std::uint8_t> container_of(std::int64_t member_msg_id, std::span<const std::uint8_t> member_body) {
  std::vector<std::uint8_t> body;
  tl::writer w(body);
  const message_view m{member_msg_id, 0, member_body};
  write_container(w, std::span(&m, 1));
  return body;
}

}  // namespace

TEST_CASE("a time-sync notice re-admits its packet once: a container still outside the window is refused") {
  pair_fixture f;
  f.client.push(request_body(5));
  auto out = f.client.finalize(f.client_now);
  REQUIRE(out);
  // bad_msg_notification 16 about our message in flight, as a member stamped two hours ahead, in a
  // container stamped two hours behind: after syncing to the member the container is four hours off.
  const auto notice = tl::serialize(mt::bad_msg_notification{.bad_msg_id = out->msg_id, .bad_msg_seqno = 1, .error_code = 16});
  auto packet = sealed_from_server(f, server_msg_id_at(t0 - 2h), container_of(server_msg_id_at(t0 + 2h), notice));
  f.feed_client(packet);  // before the fix: unbounded recursion
  const auto failures = of_type<failure_event>(f.client_events);
  REQUIRE(failures.size() == 1);
  CHECK(failures[0].error == session_errc::malformed_body);
  CHECK(of_type<bad_msg_event>(f.client_events).empty());
}

TEST_CASE("a container older than its members is refused") {
  pair_fixture f;
  f.client.push(request_body(6));
  auto out = f.client.finalize(f.client_now);
  REQUIRE(out);
  std::vector<std::uint8_t> pong_body = tl::serialize(mt::pong{.msg_id = 0, .ping_id = 77});
  auto packet = sealed_from_server(f, server_msg_id_at(t0), container_of(server_msg_id_at(t0 + 1s), pong_body));
  f.feed_client(packet);
  CHECK(of_type<pong_event>(f.client_events).empty());
  REQUIRE(of_type<failure_event>(f.client_events).size() == 1);
  // The same member in a container stamped after it is read.
  f.client_events.clear();
  auto good = sealed_from_server(f, server_msg_id_at(t0 + 2s), container_of(server_msg_id_at(t0 + 1s), pong_body));
  f.feed_client(good);
  CHECK(of_type<pong_event>(f.client_events).size() == 1);
}

namespace {

// A gzip_packed answer to `request` whose inflated form is `inflated_size` bytes.
std::vector<std::uint8_t> gzipped_answer(std::span<const std::uint8_t> request, std::size_t inflated_size) {
  auto plain = answer_for(request);
  plain.resize(inflated_size);
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  w.write_uint(tl::ids::gzip_packed);
  w.write_bytes(tl::gzip(plain));
  return out;
}

}  // namespace

TEST_CASE("client: one inflate budget per packet, and an answer over it fails its request at once") {
  client_session_options small;
  small.max_inflated_bytes = 64 * 1024;
  pair_fixture f;
  f.client = client_session(f.key, 0x5e55, 0x5a17, seeded(1), small);
  // Two answers of 40 KiB each fit the per-message cap but not the packet's budget together.
  const auto first = f.client.push(request_body(1));
  const auto second = f.client.push(request_body(2));
  auto p = f.client.finalize(f.client_now);
  std::vector<server_event> se;
  f.server.feed(p->bytes(), f.server_now, se);
  std::vector<incoming_request> requests;
  for (auto& e : se)
    if (auto* r = std::get_if<incoming_request>(&e)) requests.push_back(*r);
  REQUIRE(requests.size() == 2);
  for (auto& r : requests) f.server.reply(r.msg_id, gzipped_answer(r.body, 40 * 1024));
  REQUIRE(f.server_to_client());
  REQUIRE(!f.server.finalize(f.server_now));  // both answers went in that one packet

  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == first);
  CHECK(results[0].result.size() == 40 * 1024);
  auto failed = of_type<request_failed_event>(f.client_events);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].request == second);
  CHECK(failed[0].bad_msg_code == 0);
  CHECK(failed[0].error == tl::decode_errc::gzip_too_large);
  CHECK(f.client.pending_requests() == 0);  // nothing left to wait for a timeout

  // The budget is per packet: the same answer alone in the next packet is read.
  f.client_events.clear();
  const auto third = f.client.push(request_body(3));
  p = f.client.finalize(f.client_now);
  se.clear();
  f.server.feed(p->bytes(), f.server_now, se);
  auto* r = std::get_if<incoming_request>(&se.back());
  REQUIRE(r);
  f.server.reply(r->msg_id, gzipped_answer(r->body, 40 * 1024));
  f.server_to_client();
  results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == third);
}

TEST_CASE("client: an answer that cannot be read completes its request with the decode error") {
  pair_fixture f;
  const auto id = f.client.push(request_body(4));
  auto p = f.client.finalize(f.client_now);
  std::vector<server_event> se;
  f.server.feed(p->bytes(), f.server_now, se);
  auto* r = std::get_if<incoming_request>(&se.at(0));
  REQUIRE(r);
  std::vector<std::uint8_t> corrupt;
  tl::writer w(corrupt);
  w.write_uint(tl::ids::gzip_packed);
  w.write_bytes(std::vector<std::uint8_t>{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 0xde, 0xad, 0xbe, 0xef});
  f.server.reply(r->msg_id, corrupt);
  f.server_to_client();
  auto failed = of_type<request_failed_event>(f.client_events);
  REQUIRE(failed.size() == 1);
  CHECK(failed[0].request == id);
  CHECK(failed[0].error == tl::decode_errc::gzip_corrupt);
  CHECK(f.client.pending_requests() == 0);
}

TEST_CASE("server: one inflate budget per packet for gzip_packed requests") {
  server_session_options small;
  small.max_inflated_bytes = 64 * 1024;
  pair_fixture f;
  f.server = server_session(f.key, 0x5a17, seeded(2), small);
  auto packed_request = [](std::int64_t payload) {
    auto inner = request_body(payload);
    inner.resize(40 * 1024);
    std::vector<std::uint8_t> packed;
    tl::writer w(packed);
    w.write_uint(tl::ids::gzip_packed);
    w.write_bytes(tl::gzip(inner));
    return packed;
  };
  f.client.push(packed_request(1));
  f.client.push(packed_request(2));
  auto p = f.client.finalize(f.client_now);
  std::vector<server_event> se;
  f.server.feed(p->bytes(), f.server_now, se);
  int requests = 0;
  bool failed = false;
  for (auto& e : se) {
    if (std::holds_alternative<incoming_request>(e)) ++requests;
    if (std::holds_alternative<failure_event>(e)) failed = true;
  }
  CHECK(requests == 1);  // the second would pass the packet's budget
  CHECK(failed);

  // The next packet has a fresh budget.
  f.client.push(packed_request(3));
  p = f.client.finalize(f.client_now);
  se.clear();
  f.server.feed(p->bytes(), f.server_now, se);
  requests = 0;
  for (auto& e : se)
    if (std::holds_alternative<incoming_request>(e)) ++requests;
  CHECK(requests >= 1);
}

TEST_CASE("finalize_all seals everything that waits together, and the client reads every packet") {
  pair_fixture f;
  f.answer_padding = 20'000;  // over max_batched_container_bytes: one packet each
  std::vector<request_id> ids;
  for (int i = 0; i < 6; ++i) ids.push_back(f.client.push(request_body(i * 100)));
  REQUIRE(f.client_to_server());
  REQUIRE(f.server_requests_seen == 6);
  auto packets = f.server.finalize_all(f.server_now, 16);
  CHECK_FALSE(f.server.has_outgoing());
  REQUIRE(packets.size() >= 6);  // new_session_created and the acks may go in packets of their own
  std::set<std::int64_t> msg_ids;
  for (auto& p : packets) {
    CHECK(p.head_room >= 16);
    msg_ids.insert(p.msg_id);
    f.feed_client(p.bytes());
  }
  CHECK(msg_ids.size() == packets.size());
  auto results = of_type<rpc_result_event>(f.client_events);
  REQUIRE(results.size() == 6);
  for (const auto& r : results) {
    const auto idx = static_cast<std::int64_t>(std::find(ids.begin(), ids.end(), r.request) - ids.begin());
    CHECK(answer_payload(r.result) == idx * 100 + 1);
    CHECK(r.result.size() >= 20'000);
  }
  CHECK(f.server.finalize_all(f.server_now).empty());
}

// What the client session does with authentic packets that are not for it, and with the server's
// complaints about our seq_nos (bad_msg_notification 32 and 33), against hand-made server packets.
#include <catch2/catch.hpp>

#include <optional>

#include "mtproto/mt/BadMsgNotification.h"
#include "mtproto/session/bad_msg_code.h"
#include "mtproto/session/client_session.h"
#include "mtproto/session/error.h"
#include "session_support.h"

using namespace mtproto;
using namespace mtproto::session;
using namespace mtproto::session_test;

namespace {

constexpr std::int64_t session_id = 0x5e55;
constexpr std::int64_t salt = 0x5a17;

struct client_fixture {
  auth_key key = make_key(7);
  client_session client{key, session_id, salt, seeded(1)};
  clock::time_point now = t0;
  msg_id_generator server_ids;

  /// A packet from the server, sealed under our key, with `body` as its one message.
  /// `msg_id` 0 takes the server's next one.
  std::vector<std::uint8_t> from_server(std::span<const std::uint8_t> body, bool content_related,
                                        std::int64_t in_session = session_id, std::int64_t msg_id = 0) {
    const packet_header h{.salt = salt,
                          .session_id = in_session,
                          .msg_id = msg_id ? msg_id : server_ids.next(now, msg_kind::server_event),
                          .seqno = content_related ? 1 : 0};
    return sealed(key, crypto::direction::server_to_client, h, body);
  }
  bool feed(std::vector<std::uint8_t> packet, std::vector<event>& events) { return client.feed(packet, now, events); }

  /// The next packet the client sends, opened as the server would.
  struct sent {
    packet_header header;
    std::vector<std::uint8_t> body;
  };
  std::optional<sent> next_packet() {
    auto out = client.finalize(now);
    if (!out) return std::nullopt;
    opened_packet p;
    REQUIRE_FALSE(open_packet(out->bytes(), key, crypto::direction::client_to_server, p));
    return sent{p.header, std::vector<std::uint8_t>(p.body.begin(), p.body.end())};
  }

  /// The server's bad_msg_notification `code` about packet `about` (not content-related).
  bool complain(const sent& about, std::int32_t code, std::vector<event>& events) {
    const auto notice = tl::serialize(mt::bad_msg_notification{
        .bad_msg_id = about.header.msg_id, .bad_msg_seqno = about.header.seqno, .error_code = code});
    return feed(from_server(notice, /*content_related=*/false), events);
  }
};


std::vector<message_view> members_of(std::span<const std::uint8_t> body) {
  tl::reader r(body);
  REQUIRE(r.read_uint() == msg_container_id);
  return parse_container(r);
}

}  // namespace

TEST_CASE("an authentic packet for another session_id is refused and changes nothing") {
  client_fixture f;
  const auto request = request_body(21);
  const auto id = f.client.push(request);
  const auto first = f.next_packet();
  REQUIRE(first);

  // Under our key, but stamped with another session: an answer to our request (content-related,
  // so an ack would be owed), and a bad_server_salt that would move our salt and re-send it.
  const auto answer = rpc_result_body(first->header.msg_id, request);
  const auto salt_notice = tl::serialize(mt::bad_server_salt{.bad_msg_id = first->header.msg_id,
                                                             .bad_msg_seqno = first->header.seqno,
                                                             .error_code = bad_msg_code::bad_server_salt,
                                                             .new_server_salt = 0x0bad});
  // One msg_id for all of them: refusing must not have burnt it in the replay guard.
  const std::int64_t msg_id = f.server_ids.next(f.now, msg_kind::server_response);
  for (const auto* body : {&answer, &salt_notice}) {
    std::vector<event> events;
    CHECK_FALSE(f.feed(f.from_server(*body, /*content_related=*/true, session_id ^ 1, msg_id), events));
    REQUIRE(events.size() == 1);
    const auto* failure = std::get_if<failure_event>(&events[0]);
    REQUIRE(failure);
    CHECK(failure->error == session_errc::wrong_session);
  }
  CHECK(f.client.pending_requests() == 1);
  CHECK(f.client.salt() == salt);
  CHECK_FALSE(f.client.finalize(f.now));  // nothing re-sent, no ack owed

  // The same answer, same msg_id, in our session is read.
  std::vector<event> events;
  CHECK(f.feed(f.from_server(answer, true, session_id, msg_id), events));
  const auto results = of_type<rpc_result_event>(events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == id);
  CHECK(f.client.pending_requests() == 0);
}

TEST_CASE("bad_msg_notification 32 (seqno too low): the request goes out again with a new msg_id and a higher seqno") {
  client_fixture f;
  const auto request = request_body(31);
  const auto id = f.client.push(request);
  const auto first = f.next_packet();
  REQUIRE(first);
  REQUIRE(first->body == request);  // alone, not in a container
  REQUIRE(first->header.seqno == 1);

  std::vector<event> events;
  REQUIRE(f.complain(*first, bad_msg_code::seqno_too_low, events));
  const auto bad = of_type<bad_msg_event>(events);
  REQUIRE(bad.size() == 1);
  CHECK(bad[0].bad_msg_id == first->header.msg_id);
  CHECK(bad[0].error_code == bad_msg_code::seqno_too_low);
  CHECK(of_type<request_failed_event>(events).empty());
  CHECK(f.client.pending_requests() == 1);
  CHECK(f.client.has_outgoing());

  const auto again = f.next_packet();
  REQUIRE(again);
  CHECK(again->body == request);
  CHECK(again->header.msg_id > first->header.msg_id);
  // Past the seq_no the server complained about, and still odd: a content-related message.
  CHECK(again->header.seqno > first->header.seqno + 2);
  CHECK(again->header.seqno % 2 == 1);

  // Later messages continue from there; the answer to the re-sent request completes it.
  f.client.push(request_body(32));
  const auto next = f.next_packet();
  REQUIRE(next);
  CHECK(next->header.seqno == again->header.seqno + 2);
  events.clear();
  CHECK(f.feed(f.from_server(rpc_result_body(again->header.msg_id, request), true), events));
  const auto results = of_type<rpc_result_event>(events);
  REQUIRE(results.size() == 1);
  CHECK(results[0].request == id);
}

TEST_CASE("bad_msg_notification 32 about a container re-sends every message in it") {
  client_fixture f;
  f.client.push(request_body(1));
  f.client.push(request_body(2));
  const auto first = f.next_packet();
  REQUIRE(first);
  const auto members = members_of(first->body);
  REQUIRE(members.size() == 2);

  std::vector<event> events;
  REQUIRE(f.complain(*first, bad_msg_code::seqno_too_low, events));
  CHECK(of_type<request_failed_event>(events).empty());
  CHECK(f.client.pending_requests() == 2);
  const auto again = f.next_packet();
  REQUIRE(again);
  const auto resent = members_of(again->body);
  REQUIRE(resent.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const std::vector<std::uint8_t> body(resent[i].body.begin(), resent[i].body.end());
    CHECK(body == request_body(static_cast<std::int64_t>(i + 1)));
    CHECK(resent[i].msg_id > members[1].msg_id);
    CHECK(resent[i].seqno > members[1].seqno + 2);
  }
}

TEST_CASE("bad_msg_notification 33 (seqno too high): the request fails, is not re-sent") {
  SECTION("a lone request") {
    client_fixture f;
    const auto id = f.client.push(request_body(41));
    const auto first = f.next_packet();
    REQUIRE(first);
    std::vector<event> events;
    REQUIRE(f.complain(*first, bad_msg_code::seqno_too_high, events));
    const auto bad = of_type<bad_msg_event>(events);
    REQUIRE(bad.size() == 1);
    CHECK(bad[0].error_code == bad_msg_code::seqno_too_high);
    const auto failed = of_type<request_failed_event>(events);
    REQUIRE(failed.size() == 1);
    CHECK(failed[0].request == id);
    CHECK(failed[0].bad_msg_code == bad_msg_code::seqno_too_high);
    CHECK(f.client.pending_requests() == 0);
    CHECK_FALSE(f.client.has_outgoing());
    CHECK_FALSE(f.next_packet());
    // A late answer to it is dropped, not reported for a request that is finished.
    events.clear();
    CHECK(f.feed(f.from_server(rpc_result_body(first->header.msg_id, request_body(41)), true), events));
    CHECK(of_type<rpc_result_event>(events).empty());
  }
  SECTION("every request of a container") {
    client_fixture f;
    const auto a = f.client.push(request_body(1));
    const auto b = f.client.push(request_body(2));
    const auto first = f.next_packet();
    REQUIRE(first);
    REQUIRE(members_of(first->body).size() == 2);
    std::vector<event> events;
    REQUIRE(f.complain(*first, bad_msg_code::seqno_too_high, events));
    const auto failed = of_type<request_failed_event>(events);
    REQUIRE(failed.size() == 2);
    CHECK(((failed[0].request == a && failed[1].request == b) || (failed[0].request == b && failed[1].request == a)));
    CHECK(f.client.pending_requests() == 0);
    CHECK_FALSE(f.next_packet());
  }
}

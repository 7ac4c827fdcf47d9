// open_packet's checks after the msg_key: packets correctly encrypted under the real auth key
// (so the msg_key is valid) whose message_data_length or padding breaks MTProto 2.0's rules
// (https://core.telegram.org/mtproto/security_guidelines, "Checking message length") are refused
// with a typed error, by either session role, before anything in them is acted on.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "mtproto/session/client_session.h"
#include "mtproto/session/error.h"
#include "mtproto/session/server_session.h"
#include "session_support.h"

using namespace mtproto;
using namespace mtproto::session;
using namespace mtproto::session_test;

namespace {

constexpr std::int64_t session_id = 0x5e55;
constexpr std::int64_t salt = 0x5a17;

std::size_t whole_blocks(std::size_t n) { return (n + 15) / 16 * 16; }

/// A plaintext layout: message_data_length as declared, and how many bytes follow the header
/// (a multiple of 16, so the encrypted part is whole AES blocks; the header is 32 bytes).
struct layout {
  std::string name;
  std::int32_t declared_length;
  std::size_t after_header;
  session_errc error;  // what open_packet must say
};

/// Layouts for a message body of `body_size` bytes, each breaking one rule by the least amount the
/// block alignment allows.
std::vector<layout> bad_layouts(std::size_t body_size) {
  const auto length = static_cast<std::int32_t>(body_size);
  const std::size_t shortest = whole_blocks(body_size);  // padding below min_padding
  REQUIRE(shortest - body_size < min_padding);
  const std::size_t valid = whole_blocks(body_size + min_padding);
  return {
      {"padding " + std::to_string(shortest - body_size) + " < 12", length, shortest, session_errc::bad_padding},
      {"padding " + std::to_string(whole_blocks(body_size + max_padding + 1) - body_size) + " > 1024", length,
       whole_blocks(body_size + max_padding + 1), session_errc::bad_padding},
      {"message_data_length past the end", static_cast<std::int32_t>(valid + 4), valid,
       session_errc::bad_message_length},
      {"message_data_length 2^31 - 4", 0x7ffffffc, valid, session_errc::bad_message_length},
      {"negative message_data_length", -4, valid, session_errc::bad_message_length},
      {"message_data_length not a multiple of 4", length - 2, valid, session_errc::bad_message_length},
  };
}

/// The well-formed layout of the same body: padding min_padding..min_padding+15.
layout good_layout(std::size_t body_size) {
  return {"valid", static_cast<std::int32_t>(body_size), whole_blocks(body_size + min_padding), {}};
}

/// A packet of `body` laid out as `l`, with a valid msg_key under `key` for direction `from`.
std::vector<std::uint8_t> packet_with(const auth_key& key, crypto::direction from, const packet_header& h,
                                      std::vector<std::uint8_t> body, const layout& l) {
  REQUIRE(l.after_header >= body.size());
  const std::size_t padding = l.after_header - body.size();
  return seal_plaintext(key, from, plaintext(h, l.declared_length, body, padding));
}

/// A client with one request in flight, and the server's answer to it as a content-related
/// message (an ack would be owed for it).
struct client_awaiting_answer {
  auth_key key = make_key(7);
  client_session client{key, session_id, salt, seeded(1)};
  std::vector<std::uint8_t> request = request_body(11);
  request_id id = client.push(request);
  std::int64_t request_msg_id = 0;
  packet_header answer_header{.salt = salt, .session_id = session_id, .msg_id = server_msg_id_at(t0), .seqno = 1};
  std::vector<std::uint8_t> answer;

  client_awaiting_answer() {
    const auto out = client.finalize(t0);
    REQUIRE(out);
    request_msg_id = out->msg_id;
    answer = rpc_result_body(request_msg_id, request);
  }

  /// Feeds a refused packet: a failure with `error`, nothing else, no exception.
  void expect_refused(std::vector<std::uint8_t> packet, session_errc error) {
    std::vector<event> events;
    bool authentic = true;
    REQUIRE_NOTHROW(authentic = client.feed(packet, t0, events));
    CHECK_FALSE(authentic);
    REQUIRE(events.size() == 1);
    const auto* failure = std::get_if<failure_event>(&events[0]);
    REQUIRE(failure);
    CHECK(failure->error == error);
  }

  /// Nothing moved: the request is still pending, no ack is owed, the salt is the same, and the
  /// same msg_id in a well-formed packet is still fresh to the replay guard.
  void expect_unchanged() {
    CHECK(client.pending_requests() == 1);
    CHECK(client.salt() == salt);
    CHECK_FALSE(client.finalize(t0));
    auto good =
        packet_with(key, crypto::direction::server_to_client, answer_header, answer, good_layout(answer.size()));
    std::vector<event> events;
    CHECK(client.feed(good, t0, events));
    const auto results = of_type<rpc_result_event>(events);
    REQUIRE(results.size() == 1);
    CHECK(results[0].request == id);
    CHECK(answer_payload(results[0].result) == 12);
    CHECK(client.pending_requests() == 0);
  }
};

}  // namespace

TEST_CASE("client: bad length or padding under a valid msg_key is refused and changes nothing") {
  client_awaiting_answer c;
  for (const auto& l : bad_layouts(c.answer.size())) {
    DYNAMIC_SECTION(l.name) {
      c.expect_refused(packet_with(c.key, crypto::direction::server_to_client, c.answer_header, c.answer, l), l.error);
      c.expect_unchanged();
    }
  }
  SECTION("a tail outside the whole AES blocks is outside the msg_key too") {
    // A sender hashes all 68 bytes of a 12-byte-padded plaintext but can encrypt only 64: what
    // the receiver decrypts (whole blocks) does not match that msg_key.
    const auto plain = plaintext(c.answer_header, static_cast<std::int32_t>(c.answer.size()), c.answer, min_padding);
    REQUIRE(plain.size() % 16 == 4);
    const auto packet = seal_plaintext(c.key, crypto::direction::server_to_client, plain, /*clear_tail=*/4);
    c.expect_refused(packet, session_errc::msg_key_mismatch);
    c.expect_unchanged();
  }
}

TEST_CASE("server: bad length or padding under a valid msg_key is refused and starts no session") {
  const auto key = make_key(8);
  const auto request = request_body(5);
  msg_id_generator ids;
  const packet_header h{.salt = salt, .session_id = session_id, .msg_id = ids.next(t0), .seqno = 1};
  for (const auto& l : bad_layouts(request.size())) DYNAMIC_SECTION(l.name) {
    server_session server(key, salt, seeded(2));
    auto packet = packet_with(key, crypto::direction::client_to_server, h, request, l);
    std::vector<server_event> events;
    REQUIRE_NOTHROW(server.feed(packet, t0, events));
    REQUIRE(events.size() == 1);
    const auto* failure = std::get_if<failure_event>(&events[0]);
    REQUIRE(failure);
    CHECK(failure->error == l.error);
    CHECK_FALSE(server.has_outgoing());  // no new_session_created, no ack, no bad_msg_notification

    // The same message well formed is a new session's first request.
    auto good = packet_with(key, crypto::direction::client_to_server, h, request, good_layout(request.size()));
    events.clear();
    server.feed(good, t0, events);
    REQUIRE(events.size() == 1);
    CHECK(std::holds_alternative<incoming_request>(events[0]));
    CHECK(server.has_outgoing());
  }
}

TEST_CASE("padding of exactly 12 and exactly 1024 bytes is accepted") {
  const auto key = make_key(9);
  const packet_header h{.salt = salt, .session_id = session_id, .msg_id = server_msg_id_at(t0), .seqno = 0};
  for (std::size_t padding : {min_padding, max_padding}) {
    INFO("padding " << padding);
    // 32 + body + padding must be whole blocks: a 20-byte body for 12, a 16-byte one for 1024.
    const std::vector<std::uint8_t> body(padding == min_padding ? 20 : 16, 0x42);
    const std::size_t after_header = body.size() + padding;
    REQUIRE(after_header % 16 == 0);
    auto packet = seal_plaintext(key, crypto::direction::server_to_client,
                                 plaintext(h, static_cast<std::int32_t>(body.size()), body, padding));
    opened_packet opened;
    CHECK_FALSE(open_packet(packet, key, crypto::direction::server_to_client, opened));
    CHECK(opened.body.size() == body.size());
    CHECK(opened.header.msg_id == h.msg_id);
  }
}

TEST_CASE("seal_packets seals each packet as seal_packet would: every one opens to its own body") {
  const auto key = make_key(11);
  std::vector<std::vector<std::uint8_t>> buffers;
  std::vector<packet_to_seal> batch;
  constexpr std::size_t head_room = 8;
  for (std::size_t i = 0; i < 7; ++i) {
    std::vector<std::uint8_t> buf(head_room + packet_prefix);
    for (std::size_t j = 0; j < 4 * (i * 997 % 300 + 1); ++j) buf.push_back(static_cast<std::uint8_t>(i + j));
    buffers.push_back(std::move(buf));
  }
  const auto plain = buffers;
  for (std::size_t i = 0; i < buffers.size(); ++i)
    batch.push_back({&buffers[i], head_room, {salt, session_id, 0x1000 + static_cast<std::int64_t>(i) * 4 + 1, 1}});
  seal_packets(batch, key, crypto::direction::server_to_client, seeded(3));
  for (std::size_t i = 0; i < buffers.size(); ++i) {
    INFO("packet " << i);
    opened_packet opened;
    auto packet = std::span(buffers[i]).subspan(head_room);
    REQUIRE_FALSE(open_packet(packet, key, crypto::direction::server_to_client, opened));
    CHECK(opened.header.msg_id == 0x1000 + static_cast<std::int64_t>(i) * 4 + 1);
    CHECK(std::equal(opened.body.begin(), opened.body.end(), plain[i].begin() + head_room + packet_prefix,
                     plain[i].end()));
    CHECK(opened.body.size() == plain[i].size() - head_room - packet_prefix);
  }
}

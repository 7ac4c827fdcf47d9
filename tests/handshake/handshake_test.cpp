#include <catch2/catch.hpp>

#include <limits>

#include "handshake_harness.h"
#include "mtproto/crypto/dh.h"
#include "mtproto/crypto/error.h"
#include "mtproto/crypto/pq.h"
#include "mtproto/crypto/rsa.h"
#include "mtproto/handshake/error.h"
#include "mtproto/mt/P_Q_inner_data.h"
#include "mtproto/mt/fn/req_DH_params.h"
#include "support/hex.h"
#include "support/json.h"

using namespace mtproto;
using namespace mtproto::handshake;
using namespace mtproto::handshake_test;
using mtproto::test::from_hex;
using mtproto::test::json;

#ifdef MTPROTO_SHARED_DIR
TEST_CASE("a handshake recorded against a production DC replays byte for byte") {
  const auto v = json::parse_file(std::string(MTPROTO_SHARED_DIR) + "/vectors/auth_key_flow_grammers.json");
  const auto& rec = v["recorded"];
  const auto hex = [&](const char* k) { return from_hex(rec[k].str()); };

  client_options o;
  o.rsa_keys = {crypto::telegram_production_key(), crypto::telegram_test_key()};
  o.dc_id = std::nullopt;  // the recorded client sent p_q_inner_data without a DC
  client_handshake client(o, recorded({hex("step1_random"), hex("step2_random"), hex("step3_random")}));

  CHECK(client.begin() == hex("step1_request"));
  const auto now = core::clock::time_point(std::chrono::seconds(std::stoll(rec["step3_now"].str())));
  auto s2 = client.feed(hex("step1_response"), now);
  REQUIRE_FALSE(s2.error);
  CHECK(s2.reply == hex("step2_request"));
  auto s3 = client.feed(hex("step2_response"), now);
  REQUIRE_FALSE(s3.error);
  CHECK(s3.reply == hex("step3_request"));
  auto done = client.feed(hex("step3_response"), now);
  REQUIRE_FALSE(done.error);
  REQUIRE(done.done);
  const auto expected_key = hex("expected_auth_key");
  CHECK(std::vector<std::uint8_t>(done.done->key.bytes().begin(), done.done->key.bytes().end()) == expected_key);
  CHECK(done.done->first_salt == std::stoll(rec["expected_first_salt"].str()));
  CHECK(done.done->time_offset == std::chrono::seconds(std::stoll(rec["expected_time_offset"].str())));
  CHECK(client.finished());
}
#endif

TEST_CASE("client and server agree on a permanent key") {
  client_handshake client(make_client_options(), seeded(1));
  server_handshake server(make_server_options(), seeded(2));
  auto r = run(client, server);
  REQUIRE_FALSE(r.client_error);
  REQUIRE_FALSE(r.server_error);
  REQUIRE(r.client);
  REQUIRE(r.server);
  CHECK(r.client->key.bytes() == r.server->key.bytes());
  CHECK(r.client->key.id() == r.server->key.id());
  CHECK(r.client->first_salt == r.server->first_salt);
  CHECK(r.server->dc_id == 2);
  CHECK_FALSE(r.server->expires_at);
  CHECK(r.client->time_offset == -1s);  // the client's clock read one second later than the server's
}

TEST_CASE("temporary keys carry their expiry to both sides") {
  auto o = make_client_options();
  o.temp_key_expires_in = 3600;
  client_handshake client(o, seeded(3));
  server_handshake server(make_server_options(), seeded(4));
  auto r = run(client, server);
  REQUIRE(r.client);
  REQUIRE(r.server);
  CHECK(r.client->key.bytes() == r.server->key.bytes());
  REQUIRE(r.server->expires_at);
  CHECK(*r.server->expires_at == 1'760'000'000 + 3600);
  CHECK(r.client->expires_at == r.server->expires_at);
}

TEST_CASE("the server accepts p_q_inner_data without a DC and the pre-RSA_PAD scheme") {
  auto o = make_client_options();
  o.dc_id = std::nullopt;
  client_handshake client(o, seeded(5));
  server_handshake server(make_server_options(), seeded(6));
  auto r = run(client, server);
  REQUIRE(r.server);
  CHECK(r.server->dc_id == 0);

  // A Telethon-1.25-style req_DH_params: SHA1(data) || data || padding, raw RSA.
  server_handshake legacy_server(make_server_options(), seeded(7));
  client_handshake probe(make_client_options(), seeded(8));
  auto res_pq_reply = legacy_server.feed(probe.begin(), t0);
  REQUIRE_FALSE(res_pq_reply.error);
  tl::reader rr(res_pq_reply.reply);
  const auto res = mt::resPQ::read(rr);
  const auto pq = crypto::pq_from_bytes({reinterpret_cast<const std::uint8_t*>(res.pq.data()), res.pq.size()});
  const auto f = crypto::factorize_pq(pq);
  auto be = [](std::uint64_t x) {
    auto b = crypto::minimal_be_bytes(x);
    return std::string(b.begin(), b.end());
  };
  tl::int256 new_nonce{};
  new_nonce[0] = 42;
  std::vector<std::uint8_t> inner;
  tl::writer w(inner);
  mt::P_Q_inner_data(mt::p_q_inner_data{.pq = res.pq, .p = be(f.p), .q = be(f.q), .nonce = res.nonce,
                                        .server_nonce = res.server_nonce, .new_nonce = new_nonce})
      .write(w);
  std::vector<std::uint8_t> padding(255, 0x33);
  const auto encrypted = crypto::rsa_legacy_encrypt(server_key().public_key(), inner, padding);
  std::vector<std::uint8_t> req;
  tl::writer rw(req);
  mt::req_DH_params{.nonce = res.nonce, .server_nonce = res.server_nonce, .p = be(f.p), .q = be(f.q),
                    .public_key_fingerprint = server_key().public_key().fingerprint(),
                    .encrypted_data = std::string(encrypted.begin(), encrypted.end())}
      .write(rw);
  auto dh = legacy_server.feed(req, t0);
  REQUIRE_FALSE(dh.error);
  tl::reader dr(dh.reply);
  CHECK(mt::Server_DH_Params::read(dr).is<mt::server_DH_params_ok>());
}

TEST_CASE("a client that knows none of the server's keys stops") {
  auto o = make_client_options();
  o.rsa_keys = {crypto::telegram_production_key()};
  client_handshake client(o, seeded(9));
  server_handshake server(make_server_options(), seeded(10));
  auto r = run(client, server);
  CHECK(r.client_error == handshake_errc::no_known_rsa_key);
}

TEST_CASE("nonces that are not echoed are refused") {
  SECTION("resPQ nonce") {
    client_handshake client(make_client_options(), seeded(11));
    server_handshake server(make_server_options(), seeded(12));
    auto r = run(client, server, [](int step, std::vector<std::uint8_t>& reply) {
      if (step == 0) reply[4] ^= 1;  // first byte of nonce
    });
    CHECK(r.client_error == handshake_errc::nonce_mismatch);
  }
  SECTION("server_DH_params server_nonce") {
    client_handshake client(make_client_options(), seeded(13));
    server_handshake server(make_server_options(), seeded(14));
    auto r = run(client, server, [](int step, std::vector<std::uint8_t>& reply) {
      if (step == 1) reply[20] ^= 1;  // first byte of server_nonce
    });
    CHECK(r.client_error == handshake_errc::server_nonce_mismatch);
  }
  SECTION("dh_gen_ok new_nonce_hash1") {
    client_handshake client(make_client_options(), seeded(15));
    server_handshake server(make_server_options(), seeded(16));
    auto r = run(client, server, [](int step, std::vector<std::uint8_t>& reply) {
      if (step == 2) reply.back() ^= 1;
    });
    CHECK(r.client_error == handshake_errc::new_nonce_hash_mismatch);
  }
}

TEST_CASE("a tampered encrypted answer fails its hash or its decoding") {
  client_handshake client(make_client_options(), seeded(17));
  server_handshake server(make_server_options(), seeded(18));
  auto r = run(client, server, [](int step, std::vector<std::uint8_t>& reply) {
    if (step == 1) reply[reply.size() - 40] ^= 0x80;
  });
  CHECK((r.client_error == handshake_errc::answer_hash_mismatch || r.client_error == handshake_errc::malformed_message));
  CHECK_FALSE(r.client);
}

TEST_CASE("dh_gen_retry makes the client try again with retry_id set") {
  auto o = make_server_options();
  int asked = 0;
  o.key_id_in_use = [&](std::int64_t) { return ++asked == 1; };  // the first key collides
  client_handshake client(make_client_options(), seeded(20));
  server_handshake server(o, seeded(21));
  auto r = run(client, server);
  REQUIRE_FALSE(r.client_error);
  REQUIRE_FALSE(r.server_error);
  CHECK(asked == 2);
  REQUIRE(r.client);
  REQUIRE(r.server);
  CHECK(r.client->key.bytes() == r.server->key.bytes());
}

TEST_CASE("endless dh_gen_retry ends with too_many_retries") {
  auto o = make_server_options();
  o.key_id_in_use = [](std::int64_t) { return true; };
  auto co = make_client_options();
  co.max_retries = 2;
  client_handshake client(co, seeded(22));
  server_handshake server(o, seeded(23));
  auto r = run(client, server);
  CHECK(r.client_error == handshake_errc::too_many_retries);
}

TEST_CASE("garbage and out-of-order messages are typed errors on both sides") {
  client_handshake client(make_client_options(), seeded(24));
  client.begin();
  std::vector<std::uint8_t> garbage = {1, 2, 3, 4, 5, 6, 7, 8};
  CHECK(client.feed(garbage, t0).error == handshake_errc::malformed_message);
  CHECK(client.feed(garbage, t0).error == handshake_errc::unexpected_message);  // failed stays failed

  server_handshake server(make_server_options(), seeded(25));
  CHECK(server.feed(garbage, t0).error == handshake_errc::unexpected_message);
  server_handshake server2(make_server_options(), seeded(26));
  CHECK(server2.feed({}, t0).error == handshake_errc::malformed_message);
}

TEST_CASE("temporary key expiry: no signed overflow on either side") {
  SECTION("client: a server_time near the end of 32-bit time") {
    auto o = make_client_options();
    o.temp_key_expires_in = 86400;
    hostile_answer a;
    a.server_time = std::numeric_limits<std::int32_t>::max() - 10;
    CHECK(against_hostile_answer(a, o) == handshake_errc::expiry_out_of_range);
    a.server_time = 1'760'000'000;
    CHECK_FALSE(against_hostile_answer(a, o));
  }
  SECTION("server: a client asking for an expiry past 2038") {
    auto o = make_client_options();
    o.temp_key_expires_in = std::numeric_limits<std::int32_t>::max() - 5;
    client_handshake client(o, seeded(31));
    server_handshake server(make_server_options(), seeded(32));
    auto r = run(client, server);
    CHECK(r.server_error == handshake_errc::expiry_out_of_range);
    CHECK_FALSE(r.server);
  }
}

#include <catch2/catch.hpp>

#include <random>

#include "mtproto/api/fn/auth/bindTempAuthKey.h"
#include "mtproto/handshake/bind_temp_key.h"
#include "mtproto/handshake/error.h"
#include "mtproto/session/client_session.h"
#include "mtproto/session/server_session.h"
#include "mtproto/tl/writer.h"
#include "support/seeded_random.h"

using namespace mtproto;
using namespace std::chrono_literals;
using mtproto::test::seeded;

namespace {

core::auth_key key_from(std::uint64_t seed) {
  core::auth_key::bytes_type k;
  std::mt19937_64 rng(seed);
  for (auto& b : k) b = static_cast<std::uint8_t>(rng());
  return core::auth_key(k);
}

}  // namespace

TEST_CASE("a temporary key is bound to the permanent one through its own session") {
  const auto perm = key_from(1), temp = key_from(2);
  const auto now = core::clock::time_point(1'760'000'000s);
  session::client_session client(temp, /*session_id=*/77, /*salt=*/5, seeded(3));
  session::server_session server(temp, 5, seeded(4));

  const std::int64_t msg_id = client.clock_sync().next(now);
  const auto bind = handshake::make_bind_temp_auth_key(perm, temp, 77, 1'760'086'400, msg_id, seeded(5));
  const api::auth::bindTempAuthKey call{.perm_auth_key_id = bind.perm_auth_key_id,
                                        .nonce = bind.nonce,
                                        .expires_at = bind.expires_at,
                                        .encrypted_message = bind.encrypted_message};
  std::vector<std::uint8_t> body;
  tl::writer w(body);
  call.write(w);
  client.push(body, true, msg_id);
  auto packet = client.finalize(now);
  REQUIRE(packet);

  std::vector<session::server_event> events;
  server.feed(packet->bytes(), now, events);
  REQUIRE(events.size() == 1);
  const auto& req = std::get<session::incoming_request>(events[0]);
  CHECK(req.msg_id == msg_id);
  tl::reader r(req.body);
  const auto decoded = api::auth::bindTempAuthKey::read(r);
  const handshake::temp_key_binding received{.perm_auth_key_id = decoded.perm_auth_key_id,
                                             .nonce = decoded.nonce,
                                             .expires_at = decoded.expires_at,
                                             .encrypted_message = decoded.encrypted_message};
  CHECK(received.perm_auth_key_id == perm.id());
  CHECK(handshake::verify_bind_temp_auth_key(received, perm, temp.id(), server.session_id(), req.msg_id) ==
        std::error_code());

  // The binding names exactly this message, key and session.
  CHECK(handshake::verify_bind_temp_auth_key(received, perm, temp.id(), server.session_id(), req.msg_id + 4) ==
        handshake::handshake_errc::unexpected_message);
  CHECK(handshake::verify_bind_temp_auth_key(received, perm, temp.id() + 1, server.session_id(), req.msg_id) ==
        handshake::handshake_errc::unexpected_message);
  CHECK(handshake::verify_bind_temp_auth_key(received, perm, temp.id(), 78, req.msg_id) ==
        handshake::handshake_errc::unexpected_message);
  CHECK(handshake::verify_bind_temp_auth_key(received, key_from(9), temp.id(), 77, req.msg_id) ==
        handshake::handshake_errc::unknown_fingerprint);
  auto tampered = received;
  tampered.encrypted_message[40] ^= 1;
  // A flipped bit garbles the rest under IGE: the length or the msg_key check fails.
  const auto tampered_ec = handshake::verify_bind_temp_auth_key(tampered, perm, temp.id(), 77, req.msg_id);
  CHECK((tampered_ec == handshake::handshake_errc::answer_hash_mismatch ||
         tampered_ec == handshake::handshake_errc::bad_encrypted_length));
  auto tampered_tail = received;
  tampered_tail.encrypted_message.back() ^= 1;  // last block: only the padding or tail changes
  CHECK(handshake::verify_bind_temp_auth_key(tampered_tail, perm, temp.id(), 77, req.msg_id) != std::error_code());
  auto truncated = received;
  truncated.encrypted_message.resize(30);
  CHECK(handshake::verify_bind_temp_auth_key(truncated, perm, temp.id(), 77, req.msg_id) ==
        handshake::handshake_errc::bad_encrypted_length);
}

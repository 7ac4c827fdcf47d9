// What the handshake tests share: deterministic randomness, an RSA key for the server role, an
// honest run of both sides, and the two dishonest peers the refusal tests need: a server that
// answers a real client with DH values of the test's choosing, and a client that sends a real
// server a client_DH_inner_data of the test's choosing. Both know new_nonce (the honest side's
// randomness is recorded), so they can encrypt under the handshake's temporary AES key.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "mtproto/crypto/aes_ige.h"
#include "mtproto/crypto/dh.h"
#include "mtproto/crypto/kdf.h"
#include "mtproto/crypto/rsa.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/handshake/client_handshake.h"
#include "mtproto/handshake/server_handshake.h"
#include "mtproto/mt/Client_DH_Inner_Data.h"
#include "mtproto/mt/ResPQ.h"
#include "mtproto/mt/Server_DH_Params.h"
#include "mtproto/mt/Server_DH_inner_data.h"
#include "mtproto/mt/fn/set_client_DH_params.h"
#include "mtproto/tl/reader.h"
#include "mtproto/tl/writer.h"
#include "support/seeded_random.h"
#include "support/test_rsa.h"

namespace mtproto::handshake_test {

using namespace std::chrono_literals;
using handshake::client_handshake;
using handshake::client_options;
using handshake::server_handshake;
using handshake::server_options;
using handshake::step_result;
using test::seeded;

inline const core::clock::time_point t0 = core::clock::time_point(1'760'000'000s);

/// Hands out recorded buffers in order; each request must fit the recorded size.
inline crypto::random_source recorded(std::vector<std::vector<std::uint8_t>> buffers) {
  auto queue = std::make_shared<std::deque<std::vector<std::uint8_t>>>(buffers.begin(), buffers.end());
  return [queue](std::span<std::uint8_t> out) {
    REQUIRE_FALSE(queue->empty());
    REQUIRE(queue->front().size() >= out.size());
    std::memcpy(out.data(), queue->front().data(), out.size());
    queue->pop_front();
  };
}

/// One RSA key for the server role per test run (generating one takes a while).
inline const crypto::rsa_private_key& server_key() {
  static const auto key = crypto::rsa_private_key::from_pem(test::generate_rsa_private_pem());
  return key;
}

inline server_options make_server_options() {
  server_options o;
  o.rsa_key = std::make_shared<crypto::rsa_private_key>(server_key());
  return o;
}

inline client_options make_client_options() {
  client_options o;
  o.rsa_keys = {server_key().public_key()};
  o.dc_id = 2;
  return o;
}

struct run_result {
  std::optional<handshake::auth_key_result> client, server;
  std::error_code client_error, server_error;
};

/// Runs both sides to the end; `tamper` may change each server reply before the client sees it.
inline run_result run(client_handshake& client, server_handshake& server,
                      const std::function<void(int, std::vector<std::uint8_t>&)>& tamper = {}) {
  run_result out;
  auto msg = client.begin();
  for (int step = 0; step < 10; ++step) {
    auto s = server.feed(msg, t0);
    if (s.error) {
      out.server_error = s.error;
      return out;
    }
    if (s.done) out.server = s.done;
    if (tamper) tamper(step, s.reply);
    auto c = client.feed(s.reply, t0 + 1s);
    if (c.error) {
      out.client_error = c.error;
      return out;
    }
    if (c.done) {
      out.client = c.done;
      return out;
    }
    msg = c.reply;
  }
  return out;
}

// ---- known client randomness ---------------------------------------------------------------

/// The client's random bytes per step (handshake::begin_random_bytes, res_pq_random_bytes,
/// dh_random_bytes): nonce all 1, new_nonce and RSA_PAD randomness all 2, b and padding all 3.
inline std::vector<std::vector<std::uint8_t>> known_client_randomness() {
  return {std::vector<std::uint8_t>(handshake::begin_random_bytes, 1),
          std::vector<std::uint8_t>(handshake::res_pq_random_bytes, 2),
          std::vector<std::uint8_t>(handshake::dh_random_bytes, 3)};
}

/// new_nonce as known_client_randomness() makes it.
inline tl::int256 known_new_nonce() {
  tl::int256 n;
  std::fill(n.begin(), n.end(), 2);
  return n;
}

/// Telegram's DH prime as a vector, for tests that derive values from it.
inline std::vector<std::uint8_t> telegram_prime() {
  const auto p = crypto::telegram_dh_prime();
  return {p.begin(), p.end()};
}

template <class T>
std::string as_string(const T& bytes) {
  return std::string(bytes.begin(), bytes.end());
}

/// SHA1(inner) || inner || zero padding to whole blocks plus `extra_padding` bytes, then
/// AES-256-IGE under the temporary key of (new_nonce, server_nonce): the encrypted_answer of
/// server_DH_params_ok and the encrypted_data of set_client_DH_params. `corrupt_hash` flips a
/// bit of the SHA1.
inline std::string encrypt_under_tmp_aes(std::span<const std::uint8_t> inner, const tl::int256& new_nonce,
                                         const tl::int128& server_nonce, std::size_t extra_padding = 0,
                                         bool corrupt_hash = false) {
  const auto hash = crypto::sha1(inner);
  std::vector<std::uint8_t> block(hash.begin(), hash.end());
  if (corrupt_hash) block[0] ^= 1;
  block.insert(block.end(), inner.begin(), inner.end());
  block.resize((block.size() + 15) / 16 * 16 + extra_padding);
  const auto tmp = crypto::handshake_tmp_aes(new_nonce, server_nonce);
  crypto::ige_encrypt(tmp.key, tmp.iv, block);
  return as_string(block);
}

// ---- a hostile server against a real client -------------------------------------------------

/// What a hostile server chooses in its server_DH_params answer.
struct hostile_answer {
  std::vector<std::uint8_t> dh_prime;  // empty: Telegram's prime
  std::vector<std::uint8_t> g_a = std::vector<std::uint8_t>(256, 0x55);
  std::int32_t g = 3;
  std::int32_t server_time = 1'760'000'000;
  std::size_t extra_padding = 0;  // beyond what completes the last block
};

/// A real client (with known randomness) that has sent req_DH_params after a genuine resPQ, and
/// now gets the answers a hostile server makes up.
struct client_against_hostile_server {
  client_handshake client;
  mt::resPQ res_pq;

  explicit client_against_hostile_server(client_options options = make_client_options(),
                                         std::vector<std::vector<std::uint8_t>> randomness = known_client_randomness())
      : client(std::move(options), recorded(std::move(randomness))) {
    server_handshake server(make_server_options(), seeded(19));
    const auto res = server.feed(client.begin(), t0);
    REQUIRE_FALSE(res.error);
    REQUIRE_FALSE(client.feed(res.reply, t0).error);
    tl::reader r(res.reply);
    res_pq = mt::resPQ::read(r);
  }

  /// server_DH_params_ok carrying a server_DH_inner_data made from `a`.
  step_result answer(const hostile_answer& a) {
    const auto prime = a.dh_prime.empty() ? telegram_prime() : a.dh_prime;
    const auto inner = tl::serialize(mt::server_DH_inner_data{.nonce = res_pq.nonce,
                                                              .server_nonce = res_pq.server_nonce,
                                                              .g = a.g,
                                                              .dh_prime = as_string(prime),
                                                              .g_a = as_string(a.g_a),
                                                              .server_time = a.server_time});
    const auto reply = tl::serialize(mt::Server_DH_Params(mt::server_DH_params_ok{
        .nonce = res_pq.nonce,
        .server_nonce = res_pq.server_nonce,
        .encrypted_answer = encrypt_under_tmp_aes(inner, known_new_nonce(), res_pq.server_nonce, a.extra_padding)}));
    return client.feed(reply, t0);
  }

  /// server_DH_params_fail with the genuine new_nonce_hash, or one with a bit flipped.
  step_result fail_params(bool genuine_hash) {
    const auto digest = crypto::sha1(known_new_nonce());
    tl::int128 h;
    std::copy(digest.end() - 16, digest.end(), h.begin());
    if (!genuine_hash) h[0] ^= 1;
    const auto reply = tl::serialize(mt::Server_DH_Params(
        mt::server_DH_params_fail{.nonce = res_pq.nonce, .server_nonce = res_pq.server_nonce, .new_nonce_hash = h}));
    return client.feed(reply, t0);
  }
};

/// The client's verdict on a server_DH_params_ok made from `a`.
inline std::error_code against_hostile_answer(const hostile_answer& a, client_options options = make_client_options()) {
  client_against_hostile_server s(std::move(options));
  return s.answer(a).error;
}

// ---- a hostile client against a real server -------------------------------------------------

/// What a hostile client chooses in its client_DH_inner_data.
struct hostile_client_dh {
  std::vector<std::uint8_t> g_b = std::vector<std::uint8_t>(256, 0x55);
  std::int64_t retry_id = 0;
  std::size_t extra_padding = 0;  // beyond what completes the last block
  bool corrupt_hash = false;
};

/// A real server that has answered req_DH_params (from a real client with known randomness), and
/// now gets a set_client_DH_params a hostile client makes up.
struct server_against_hostile_client {
  server_handshake server;
  mt::resPQ res_pq;

  server_against_hostile_client() : server(make_server_options(), seeded(40)) {
    client_handshake client(make_client_options(), recorded(known_client_randomness()));
    const auto res = server.feed(client.begin(), t0);
    REQUIRE_FALSE(res.error);
    tl::reader r(res.reply);
    res_pq = mt::resPQ::read(r);
    const auto req = client.feed(res.reply, t0);
    REQUIRE_FALSE(req.error);
    const auto dh = server.feed(req.reply, t0);
    REQUIRE_FALSE(dh.error);
  }

  /// set_client_DH_params carrying a client_DH_inner_data made from `c`.
  step_result send(const hostile_client_dh& c) {
    const auto inner = tl::serialize(mt::client_DH_inner_data{
        .nonce = res_pq.nonce, .server_nonce = res_pq.server_nonce, .retry_id = c.retry_id, .g_b = as_string(c.g_b)});
    const auto request = tl::serialize(mt::set_client_DH_params{
        .nonce = res_pq.nonce,
        .server_nonce = res_pq.server_nonce,
        .encrypted_data =
            encrypt_under_tmp_aes(inner, known_new_nonce(), res_pq.server_nonce, c.extra_padding, c.corrupt_hash)});
    return server.feed(request, t0);
  }
};

}  // namespace mtproto::handshake_test

// What the session tests share: keys, a fake request and its answer, event filters, and packets a
// peer holding the key could build: sealed by the library, or assembled field by field with a
// msg_key valid for exactly those bytes (whatever the header claims).
#pragma once

#include <catch2/catch.hpp>

#include <cstring>
#include <random>
#include <span>
#include <vector>

#include "mtproto/crypto/aes_ige.h"
#include "mtproto/crypto/kdf.h"
#include "mtproto/session/container.h"
#include "mtproto/session/encrypted_packet.h"
#include "mtproto/session/events.h"
#include "mtproto/session/msg_id.h"
#include "mtproto/tl/reader.h"
#include "mtproto/tl/writer.h"
#include "support/seeded_random.h"

namespace mtproto::session_test {

using namespace mtproto::session;
using namespace std::chrono_literals;
using test::seeded;

inline const clock::time_point t0 = clock::time_point(1'750'000'000s);

inline auth_key make_key(std::uint64_t seed) {
  auth_key::bytes_type k;
  std::mt19937_64 rng(seed);
  for (auto& b : k) b = static_cast<std::uint8_t>(rng());
  return auth_key(k);
}

/// A fake function: id 0x11223344, then a long payload.
inline std::vector<std::uint8_t> request_body(std::int64_t payload) {
  std::vector<std::uint8_t> b;
  tl::writer w(b);
  w.write_uint(0x11223344);
  w.write_long(payload);
  return b;
}
/// The fake answer: id 0x55667788, then the payload + 1.
inline std::vector<std::uint8_t> answer_for(std::span<const std::uint8_t> request) {
  tl::reader r(request);
  r.read_uint();
  std::vector<std::uint8_t> b;
  tl::writer w(b);
  w.write_uint(0x55667788);
  w.write_long(r.read_long() + 1);
  return b;
}
inline std::int64_t answer_payload(std::span<const std::uint8_t> result) {
  tl::reader r(result);
  REQUIRE(r.read_uint() == 0x55667788);
  return r.read_long();
}

/// rpc_result answering `req_msg_id` with answer_for(request).
inline std::vector<std::uint8_t> rpc_result_body(std::int64_t req_msg_id, std::span<const std::uint8_t> request) {
  std::vector<std::uint8_t> b;
  tl::writer w(b);
  write_rpc_result(w, req_msg_id, answer_for(request));
  return b;
}

template <class T>
std::vector<T> of_type(const std::vector<event>& events) {
  std::vector<T> out;
  for (const auto& e : events)
    if (auto* p = std::get_if<T>(&e)) out.push_back(*p);
  return out;
}

/// A server message id for time `t` (server-response parity).
inline std::int64_t server_msg_id_at(clock::time_point t) { return (msg_id_at(t) & ~std::int64_t{3}) | 1; }

/// A correctly sealed packet (seal_packet) with `body` as its one message.
inline std::vector<std::uint8_t> sealed(const auth_key& key, crypto::direction from, const packet_header& h,
                                        std::span<const std::uint8_t> body) {
  std::vector<std::uint8_t> buf(packet_prefix);
  buf.insert(buf.end(), body.begin(), body.end());
  const auto packet = seal_packet(buf, 0, key, from, h, seeded(9));
  return std::vector<std::uint8_t>(packet.begin(), packet.end());
}

/// The plaintext of a packet, field by field: the header, message_data_length as `declared_length`
/// (whatever the body's size), the body, then `padding` bytes.
inline std::vector<std::uint8_t> plaintext(const packet_header& h, std::int32_t declared_length,
                                           std::span<const std::uint8_t> body, std::size_t padding) {
  std::vector<std::uint8_t> p;
  tl::writer w(p);
  w.write_long(h.salt);
  w.write_long(h.session_id);
  w.write_long(h.msg_id);
  w.write_int(h.seqno);
  w.write_int(declared_length);
  w.write_raw(body);
  p.resize(p.size() + padding, 0xa5);
  return p;
}

/// auth_key_id || msg_key || AES-256-IGE(plaintext), with the msg_key of these plaintext bytes: a
/// packet only a holder of the key can make, and that passes the msg_key check. The plaintext must
/// be whole AES blocks, except for `clear_tail` last bytes, which the msg_key covers but which go
/// after the blocks unencrypted (IGE cannot encrypt a partial block).
inline std::vector<std::uint8_t> seal_plaintext(const auth_key& key, crypto::direction from,
                                                std::vector<std::uint8_t> plain, std::size_t clear_tail = 0) {
  REQUIRE(plain.size() >= clear_tail);
  REQUIRE((plain.size() - clear_tail) % 16 == 0);
  const auto msg_key = crypto::compute_msg_key(key.bytes(), plain, from);
  const auto aes = crypto::derive_message_keys(key.bytes(), msg_key, from);
  crypto::ige_encrypt(aes.key, aes.iv, std::span(plain).first(plain.size() - clear_tail));
  std::vector<std::uint8_t> out(packet_outer_header);
  const auto id = static_cast<std::uint64_t>(key.id());
  for (std::size_t i = 0; i < 8; ++i) out[i] = static_cast<std::uint8_t>(id >> (8 * i));
  std::memcpy(out.data() + 8, msg_key.data(), msg_key.size());
  out.insert(out.end(), plain.begin(), plain.end());
  return out;
}

}  // namespace mtproto::session_test

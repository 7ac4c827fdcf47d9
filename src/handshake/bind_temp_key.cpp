#include "mtproto/handshake/bind_temp_key.h"

#include <array>
#include <cstring>

#include "handshake_support.h"
#include "mtproto/crypto/aes_ige.h"
#include "mtproto/crypto/ct_equal.h"
#include "mtproto/crypto/kdf.h"
#include "mtproto/handshake/error.h"
#include "mtproto/mt/BindAuthKeyInner.h"
#include "mtproto/tl/reader.h"
#include "mtproto/tl/writer.h"

namespace mtproto::handshake {
namespace {

constexpr std::size_t outer_header = 24;  // perm_auth_key_id + msg_key
constexpr std::size_t inner_header = 32;  // random (salt, session_id), msg_id, seq_no, length

}  // namespace

temp_key_binding make_bind_temp_auth_key(const core::auth_key& perm, const core::auth_key& temp,
                                                   std::int64_t temp_session_id, std::int32_t expires_at,
                                                   std::int64_t msg_id, const crypto::random_source& random) {
  std::array<std::uint8_t, bind_random_bytes> rnd;
  random(rnd);
  std::int64_t nonce;
  std::memcpy(&nonce, rnd.data(), sizeof nonce);
  const auto inner = detail::serialize(mt::bind_auth_key_inner{.nonce = nonce,
                                                               .temp_auth_key_id = temp.id(),
                                                               .perm_auth_key_id = perm.id(),
                                                               .temp_session_id = temp_session_id,
                                                               .expires_at = expires_at});
  std::vector<std::uint8_t> plain;
  tl::writer w(plain);
  w.write_raw(std::span(rnd).subspan(8, 16));
  w.write_long(msg_id);
  w.write_int(0);
  w.write_int(static_cast<std::int32_t>(inner.size()));
  w.write_raw(inner);
  const auto msg_key = crypto::compute_msg_key_v1(plain);
  const std::size_t padding = (16 - plain.size() % 16) % 16;
  w.write_raw(std::span(rnd).subspan(24, padding));
  const auto aes = crypto::derive_message_keys_v1(perm.bytes(), msg_key, crypto::direction::client_to_server);
  crypto::ige_encrypt(aes.key, aes.iv, plain);

  temp_key_binding req;
  req.perm_auth_key_id = perm.id();
  req.nonce = nonce;
  req.expires_at = expires_at;
  req.encrypted_message.reserve(outer_header + plain.size());
  tl::writer ew(req.encrypted_message);
  ew.write_long(perm.id());
  ew.write_raw(msg_key);
  ew.write_raw(plain);
  return req;
}

std::error_code verify_bind_temp_auth_key(const temp_key_binding& request, const core::auth_key& perm,
                                          std::int64_t temp_auth_key_id, std::int64_t temp_session_id,
                                          std::int64_t msg_id) {
  const auto& m = request.encrypted_message;
  if (m.size() < outer_header + inner_header + 4 || (m.size() - outer_header) % 16 != 0)
    return handshake_errc::bad_encrypted_length;
  tl::reader outer(m);
  if (outer.read_long() != perm.id() || request.perm_auth_key_id != perm.id()) return handshake_errc::unknown_fingerprint;
  crypto::msg_key_bytes msg_key;
  std::memcpy(msg_key.data(), m.data() + 8, msg_key.size());
  std::vector<std::uint8_t> plain(m.begin() + outer_header, m.end());
  const auto aes = crypto::derive_message_keys_v1(perm.bytes(), msg_key, crypto::direction::client_to_server);
  crypto::ige_decrypt(aes.key, aes.iv, plain);

  try {
    tl::reader r(plain);
    r.read_raw(16);
    const std::int64_t inner_msg_id = r.read_long();
    const std::int32_t seqno = r.read_int();
    const std::int32_t length = r.read_int();
    if (length < 0 || static_cast<std::size_t>(length) > r.remaining() ||
        r.remaining() - static_cast<std::size_t>(length) >= 16)
      return handshake_errc::bad_encrypted_length;
    const auto expected = crypto::compute_msg_key_v1(std::span(plain).first(inner_header + static_cast<std::size_t>(length)));
    if (!crypto::ct_equal(expected, msg_key)) return handshake_errc::answer_hash_mismatch;
    const auto inner = mt::bind_auth_key_inner::read(r);
    if (inner_msg_id != msg_id || seqno != 0) return handshake_errc::unexpected_message;
    if (inner.nonce != request.nonce) return handshake_errc::nonce_mismatch;
    if (inner.temp_auth_key_id != temp_auth_key_id || inner.perm_auth_key_id != perm.id() ||
        inner.temp_session_id != temp_session_id || inner.expires_at != request.expires_at)
      return handshake_errc::unexpected_message;
  } catch (const tl::decode_error&) {
    return handshake_errc::malformed_message;
  }
  return {};
}

}  // namespace mtproto::handshake

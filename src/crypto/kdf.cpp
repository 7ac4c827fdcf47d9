#include "mtproto/crypto/kdf.h"

#include <algorithm>
#include <cstring>

namespace mtproto::crypto {
namespace {

constexpr std::size_t offset(direction dir) noexcept { return static_cast<std::size_t>(dir); }

// Appends src[from, from+n) to dst at *pos.
template <std::size_t N, class Src>
void put(std::array<std::uint8_t, N>& dst, std::size_t& pos, const Src& src, std::size_t from, std::size_t n) {
  std::copy_n(src.begin() + static_cast<std::ptrdiff_t>(from), n, dst.begin() + static_cast<std::ptrdiff_t>(pos));
  pos += n;
}

}  // namespace

std::span<const std::uint8_t, 32> msg_key_hash_prefix(auth_key_view auth_key, direction dir) noexcept {
  return auth_key.subspan(88 + offset(dir)).first<32>();
}

msg_key_bytes msg_key_from_large(const sha256_digest& large) noexcept {
  msg_key_bytes k;
  std::copy_n(large.begin() + 8, 16, k.begin());
  return k;
}

msg_key_bytes compute_msg_key(auth_key_view auth_key, std::span<const std::uint8_t> plaintext_padded, direction dir) {
  return msg_key_from_large(sha256({msg_key_hash_prefix(auth_key, dir), plaintext_padded}));
}

aes_key_iv derive_message_keys(auth_key_view auth_key, msg_key_view msg_key, direction dir) {
  const std::size_t x = offset(dir);
  const sha256_digest a = sha256({msg_key, auth_key.subspan(x, 36)});
  const sha256_digest b = sha256({auth_key.subspan(40 + x, 36), msg_key});
  aes_key_iv out;
  std::size_t k = 0, v = 0;
  put(out.key, k, a, 0, 8);
  put(out.key, k, b, 8, 16);
  put(out.key, k, a, 24, 8);
  put(out.iv, v, b, 0, 8);
  put(out.iv, v, a, 8, 16);
  put(out.iv, v, b, 24, 8);
  return out;
}

std::array<std::uint8_t, 8> auth_key_id_bytes(auth_key_view auth_key) {
  const sha1_digest h = sha1(auth_key);
  std::array<std::uint8_t, 8> id;
  std::copy_n(h.begin() + 12, 8, id.begin());
  return id;
}

std::int64_t auth_key_id(auth_key_view auth_key) {
  const auto b = auth_key_id_bytes(auth_key);
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = v << 8 | b[static_cast<std::size_t>(i)];
  return static_cast<std::int64_t>(v);
}

std::array<std::uint8_t, 8> auth_key_aux_hash(auth_key_view auth_key) {
  const sha1_digest h = sha1(auth_key);
  std::array<std::uint8_t, 8> aux;
  std::copy_n(h.begin(), 8, aux.begin());
  return aux;
}

std::array<std::uint8_t, 16> new_nonce_hash(nonce256_view new_nonce, std::uint8_t number, auth_key_view auth_key) {
  const auto aux = auth_key_aux_hash(auth_key);
  const std::uint8_t n[1] = {number};
  const sha1_digest h = sha1({new_nonce, n, aux});
  std::array<std::uint8_t, 16> out;
  std::copy_n(h.begin() + 4, 16, out.begin());
  return out;
}

aes_key_iv handshake_tmp_aes(nonce256_view new_nonce, nonce128_view server_nonce) {
  const sha1_digest ns = sha1({new_nonce, server_nonce});
  const sha1_digest sn = sha1({server_nonce, new_nonce});
  const sha1_digest nn = sha1({new_nonce, new_nonce});
  aes_key_iv out;
  std::size_t k = 0, v = 0;
  put(out.key, k, ns, 0, 20);
  put(out.key, k, sn, 0, 12);
  put(out.iv, v, sn, 12, 8);
  put(out.iv, v, nn, 0, 20);
  put(out.iv, v, new_nonce, 0, 4);
  return out;
}

std::int64_t handshake_first_salt(nonce256_view new_nonce, nonce128_view server_nonce) noexcept {
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) {
    const auto idx = static_cast<std::size_t>(i);
    v = v << 8 | static_cast<std::uint8_t>(new_nonce[idx] ^ server_nonce[idx]);
  }
  return static_cast<std::int64_t>(v);
}

msg_key_bytes compute_msg_key_v1(std::span<const std::uint8_t> data) {
  const sha1_digest h = sha1(data);
  msg_key_bytes k;
  std::copy_n(h.begin() + 4, 16, k.begin());
  return k;
}

aes_key_iv derive_message_keys_v1(auth_key_view auth_key, msg_key_view msg_key, direction dir) {
  const std::size_t x = offset(dir);
  const sha1_digest a = sha1({msg_key, auth_key.subspan(x, 32)});
  const sha1_digest b = sha1({auth_key.subspan(32 + x, 16), msg_key, auth_key.subspan(48 + x, 16)});
  const sha1_digest c = sha1({auth_key.subspan(64 + x, 32), msg_key});
  const sha1_digest d = sha1({msg_key, auth_key.subspan(96 + x, 32)});
  aes_key_iv out;
  std::size_t k = 0, v = 0;
  put(out.key, k, a, 0, 8);
  put(out.key, k, b, 8, 12);
  put(out.key, k, c, 4, 12);
  put(out.iv, v, a, 8, 12);
  put(out.iv, v, b, 0, 8);
  put(out.iv, v, c, 16, 4);
  put(out.iv, v, d, 0, 8);
  return out;
}

}  // namespace mtproto::crypto

#include "handshake_support.h"

#include <algorithm>
#include <cstring>

#include "mtproto/crypto/aes_ige.h"
#include "mtproto/crypto/ct_equal.h"

namespace mtproto::handshake::detail {

namespace {
constexpr std::size_t sha1_size = 20;
}  // namespace

std::optional<hashed_block> decrypt_with_hash(const crypto::aes_key_iv& key, std::span<const std::uint8_t> encrypted) {
  if (encrypted.size() % aes_block != 0 || encrypted.size() < sha1_size + 4) return std::nullopt;
  std::vector<std::uint8_t> plain(encrypted.begin(), encrypted.end());
  crypto::ige_decrypt(key.key, key.iv, plain);
  hashed_block out;
  std::copy_n(plain.begin(), sha1_size, out.hash.begin());
  out.data.assign(plain.begin() + sha1_size, plain.end());
  return out;
}

std::vector<std::uint8_t> encrypt_with_hash(const crypto::aes_key_iv& key, std::span<const std::uint8_t> data,
                                            std::span<const std::uint8_t> padding_random) {
  const auto hash = crypto::sha1(data);
  const std::size_t unpadded = sha1_size + data.size();
  const std::size_t padding = (aes_block - unpadded % aes_block) % aes_block;
  std::vector<std::uint8_t> out(unpadded + padding);
  std::memcpy(out.data(), hash.data(), sha1_size);
  std::memcpy(out.data() + sha1_size, data.data(), data.size());
  std::memcpy(out.data() + unpadded, padding_random.data(), padding);
  crypto::ige_encrypt(key.key, key.iv, out);
  return out;
}

bool sha1_prefix_matches(const crypto::sha1_digest& hash, std::span<const std::uint8_t> object) {
  return crypto::ct_equal(crypto::sha1(object), hash);
}

}  // namespace mtproto::handshake::detail

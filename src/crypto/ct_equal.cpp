#include "mtproto/crypto/ct_equal.h"

#include <openssl/crypto.h>

namespace mtproto::crypto {

bool ct_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept {
  if (a.size() != b.size()) return false;
  return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace mtproto::crypto

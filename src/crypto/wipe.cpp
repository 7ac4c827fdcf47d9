#include "mtproto/crypto/wipe.h"

#include <openssl/crypto.h>

namespace mtproto::crypto {

void secure_wipe(std::span<std::uint8_t> secret) noexcept {
  if (!secret.empty()) OPENSSL_cleanse(secret.data(), secret.size());
}

}  // namespace mtproto::crypto

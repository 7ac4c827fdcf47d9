#include "mtproto/crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>

#include "mtproto/crypto/error.h"

namespace mtproto::crypto {

void secure_random(std::span<std::uint8_t> out) {
  constexpr std::size_t max_chunk = std::size_t{1} << 30;  // RAND_bytes takes an int length
  for (std::size_t done = 0; done < out.size();) {
    const std::size_t chunk = std::min(out.size() - done, max_chunk);
    if (RAND_bytes(out.data() + done, static_cast<int>(chunk)) != 1) {
      throw crypto_error(crypto_errc::random_failed, "RAND_bytes");
    }
    done += chunk;
  }
}

}  // namespace mtproto::crypto

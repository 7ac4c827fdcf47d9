#include "mtproto/crypto/aes_ctr.h"

#include <algorithm>
#include <climits>
#include <exception>

#include "mtproto/crypto/error.h"
#include "openssl_handles.h"

namespace mtproto::crypto {

void aes256_ctr::ctx_free::operator()(evp_cipher_ctx_st* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }

aes256_ctr::aes256_ctr(std::span<const std::uint8_t, 32> key, std::span<const std::uint8_t, 16> iv)
    : ctx_(detail::new_cipher_ctx().release()) {
  if (EVP_EncryptInit_ex2(ctx_.get(), &detail::aes256_ctr_cipher(), key.data(), iv.data(), nullptr) != 1) {
    throw crypto_error(crypto_errc::openssl_failure, "EVP_EncryptInit_ex2(AES-256-CTR)");
  }
}

aes256_ctr::~aes256_ctr() = default;
aes256_ctr::aes256_ctr(aes256_ctr&&) noexcept = default;
aes256_ctr& aes256_ctr::operator=(aes256_ctr&&) noexcept = default;

void aes256_ctr::apply(std::span<std::uint8_t> data) noexcept { apply(data, data); }

void aes256_ctr::apply(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept {
  // EVP lengths are int; feed huge buffers in chunks that keep the keystream position intact.
  constexpr std::size_t max_chunk = std::size_t{1} << 30;
  std::size_t n = std::min(in.size(), out.size());
  const std::uint8_t* src = in.data();
  std::uint8_t* dst = out.data();
  while (n > 0) {
    const std::size_t chunk = std::min(n, max_chunk);
    int written = 0;
    // CTR update on an initialised context cannot fail; if OpenSSL says otherwise the
    // keystream position is unknown and continuing would corrupt the stream silently.
    if (EVP_EncryptUpdate(ctx_.get(), dst, &written, src, static_cast<int>(chunk)) != 1 ||
        static_cast<std::size_t>(written) != chunk) {
      std::terminate();
    }
    src += chunk;
    dst += chunk;
    n -= chunk;
  }
}

}  // namespace mtproto::crypto

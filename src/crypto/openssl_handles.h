// Internal: OpenSSL algorithm objects fetched once per process, and owning handles.
// Fetching explicitly (instead of EVP_aes_256_ctr()) avoids an implicit provider lookup on
// every context initialisation, which dominates the cost of short messages.
#pragma once

#include <openssl/evp.h>

#include <memory>

namespace mtproto::crypto::detail {

const EVP_CIPHER& aes256_ctr_cipher();
const EVP_CIPHER& aes256_ecb_cipher();
const EVP_CIPHER& aes256_cbc_cipher();
const EVP_MD& sha1_md();
const EVP_MD& sha256_md();

struct cipher_ctx_free {
  void operator()(EVP_CIPHER_CTX* ctx) const noexcept { EVP_CIPHER_CTX_free(ctx); }
};
using cipher_ctx_ptr = std::unique_ptr<EVP_CIPHER_CTX, cipher_ctx_free>;

struct md_ctx_free {
  void operator()(EVP_MD_CTX* ctx) const noexcept { EVP_MD_CTX_free(ctx); }
};
using md_ctx_ptr = std::unique_ptr<EVP_MD_CTX, md_ctx_free>;

/// A new cipher context; throws crypto_error(openssl_failure) when OpenSSL cannot allocate one.
cipher_ctx_ptr new_cipher_ctx();
md_ctx_ptr new_md_ctx();

}  // namespace mtproto::crypto::detail

#include "mtproto/crypto/aead.h"

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <limits>

#include "mtproto/crypto/error.h"
#include "openssl_handles.h"

namespace mtproto::crypto {
namespace {

/// scrypt's memory need is about 128 * n * r * p bytes; allow that plus OpenSSL's own slack.
std::uint64_t scrypt_memory(const scrypt_params& params) {
  return 128ull * params.n * params.r * params.p + (1u << 20);
}

void require(int ok, const char* what) {
  if (ok != 1) throw crypto_error(crypto_errc::openssl_failure, what);
}

}  // namespace

std::vector<std::uint8_t> gcm_seal(std::span<const std::uint8_t, gcm_key_size> key,
                                   std::span<const std::uint8_t, gcm_nonce_size> nonce,
                                   std::span<const std::uint8_t> aad, std::span<const std::uint8_t> plaintext) {
  if (plaintext.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      aad.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    throw crypto_error(crypto_errc::openssl_failure, "AES-256-GCM input too large");
  auto ctx = detail::new_cipher_ctx();
  require(EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()), "EVP_EncryptInit_ex(GCM)");
  int n = 0;
  if (!aad.empty()) require(EVP_EncryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())), "GCM aad");
  std::vector<std::uint8_t> out(plaintext.size() + gcm_tag_size);
  int written = 0;
  if (!plaintext.empty())
    require(EVP_EncryptUpdate(ctx.get(), out.data(), &written, plaintext.data(), static_cast<int>(plaintext.size())),
            "GCM encrypt");
  require(EVP_EncryptFinal_ex(ctx.get(), out.data() + written, &n), "GCM final");
  require(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, gcm_tag_size, out.data() + plaintext.size()),
          "GCM tag");
  return out;
}

std::optional<std::vector<std::uint8_t>> gcm_open(std::span<const std::uint8_t, gcm_key_size> key,
                                                  std::span<const std::uint8_t, gcm_nonce_size> nonce,
                                                  std::span<const std::uint8_t> aad,
                                                  std::span<const std::uint8_t> sealed) {
  if (sealed.size() < gcm_tag_size) return std::nullopt;
  if (sealed.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      aad.size() > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return std::nullopt;
  const auto ciphertext = sealed.first(sealed.size() - gcm_tag_size);
  std::vector<std::uint8_t> tag(sealed.end() - gcm_tag_size, sealed.end());
  auto ctx = detail::new_cipher_ctx();
  require(EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.data(), nonce.data()), "EVP_DecryptInit_ex(GCM)");
  int n = 0;
  if (!aad.empty()) require(EVP_DecryptUpdate(ctx.get(), nullptr, &n, aad.data(), static_cast<int>(aad.size())), "GCM aad");
  std::vector<std::uint8_t> out(ciphertext.size());
  int written = 0;
  if (!ciphertext.empty())
    require(EVP_DecryptUpdate(ctx.get(), out.data(), &written, ciphertext.data(), static_cast<int>(ciphertext.size())),
            "GCM decrypt");
  require(EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, gcm_tag_size, tag.data()), "GCM set tag");
  if (EVP_DecryptFinal_ex(ctx.get(), out.data() + written, &n) != 1) return std::nullopt;
  return out;
}

void scrypt(std::span<const std::uint8_t> passphrase, std::span<const std::uint8_t> salt, const scrypt_params& params,
            std::span<std::uint8_t> out) {
  if (EVP_PBE_scrypt(reinterpret_cast<const char*>(passphrase.data()), passphrase.size(), salt.data(), salt.size(),
                     params.n, params.r, params.p, scrypt_memory(params), out.data(), out.size()) != 1)
    throw crypto_error(crypto_errc::openssl_failure, "EVP_PBE_scrypt (parameters refused)");
}

}  // namespace mtproto::crypto

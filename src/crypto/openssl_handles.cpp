#include "openssl_handles.h"

#include "mtproto/crypto/error.h"

namespace mtproto::crypto::detail {
namespace {

const EVP_CIPHER& fetch_cipher(const char* name) {
  EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, name, nullptr);
  if (c == nullptr) throw crypto_error(crypto_errc::openssl_failure, name);
  return *c;  // kept for the life of the process
}

const EVP_MD& fetch_md(const char* name) {
  EVP_MD* md = EVP_MD_fetch(nullptr, name, nullptr);
  if (md == nullptr) throw crypto_error(crypto_errc::openssl_failure, name);
  return *md;
}

}  // namespace

const EVP_CIPHER& aes256_ctr_cipher() {
  static const EVP_CIPHER& c = fetch_cipher("AES-256-CTR");
  return c;
}
const EVP_CIPHER& aes256_ecb_cipher() {
  static const EVP_CIPHER& c = fetch_cipher("AES-256-ECB");
  return c;
}
const EVP_CIPHER& aes256_cbc_cipher() {
  static const EVP_CIPHER& c = fetch_cipher("AES-256-CBC");
  return c;
}
const EVP_MD& sha1_md() {
  static const EVP_MD& md = fetch_md("SHA1");
  return md;
}
const EVP_MD& sha256_md() {
  static const EVP_MD& md = fetch_md("SHA256");
  return md;
}

cipher_ctx_ptr new_cipher_ctx() {
  cipher_ctx_ptr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) throw crypto_error(crypto_errc::openssl_failure, "EVP_CIPHER_CTX_new");
  return ctx;
}

md_ctx_ptr new_md_ctx() {
  md_ctx_ptr ctx(EVP_MD_CTX_new());
  if (!ctx) throw crypto_error(crypto_errc::openssl_failure, "EVP_MD_CTX_new");
  return ctx;
}

}  // namespace mtproto::crypto::detail

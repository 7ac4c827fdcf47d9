#include "mtproto/testdc/rsa_keygen.h"

#include <memory>
#include <stdexcept>

#include <openssl/bio.h>
#include <openssl/encoder.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

namespace mtproto::testdc {
namespace {

struct pkey_free {
  void operator()(EVP_PKEY* k) const noexcept { EVP_PKEY_free(k); }
};
struct bio_free {
  void operator()(BIO* b) const noexcept { BIO_free(b); }
};
struct encoder_free {
  void operator()(OSSL_ENCODER_CTX* c) const noexcept { OSSL_ENCODER_CTX_free(c); }
};
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_free>;

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

std::string encode(EVP_PKEY* key, int selection, const char* structure) {
  std::unique_ptr<OSSL_ENCODER_CTX, encoder_free> ctx(
      OSSL_ENCODER_CTX_new_for_pkey(key, selection, "PEM", structure, nullptr));
  std::unique_ptr<BIO, bio_free> bio(BIO_new(BIO_s_mem()));
  if (!ctx || !bio || OSSL_ENCODER_to_bio(ctx.get(), bio.get()) != 1)
    throw std::runtime_error("cannot encode the RSA key as PEM");
  return bio_text(bio.get());
}

std::string public_pkcs1(EVP_PKEY* key) { return encode(key, EVP_PKEY_PUBLIC_KEY, "type-specific"); }

}  // namespace

rsa_key_pem generate_rsa_key() {
  pkey_ptr key(EVP_RSA_gen(rsa_key_bits));
  if (!key) throw std::runtime_error("RSA key generation failed");
  return {encode(key.get(), EVP_PKEY_KEYPAIR, "PrivateKeyInfo"), public_pkcs1(key.get())};
}

std::string public_pem_of(const std::string& private_pem) {
  std::unique_ptr<BIO, bio_free> bio(BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())));
  if (!bio) throw std::runtime_error("out of memory");
  pkey_ptr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) throw std::runtime_error("not an RSA private key PEM");
  return public_pkcs1(key.get());
}

}  // namespace mtproto::testdc

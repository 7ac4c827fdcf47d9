#include "mtproto/crypto/error.h"

namespace mtproto::crypto {
namespace {

class crypto_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mtproto.crypto"; }
  std::string message(int ev) const override {
    switch (static_cast<crypto_errc>(ev)) {
      case crypto_errc::invalid_length: return "input length not allowed";
      case crypto_errc::invalid_pem: return "PEM text is not an RSA key of the expected kind";
      case crypto_errc::rsa_key_too_small: return "RSA key too small for the padding scheme";
      case crypto_errc::rsa_data_too_long: return "data too long for RSA padding scheme";
      case crypto_errc::rsa_decrypt_failed: return "RSA ciphertext does not decrypt to a valid message";
      case crypto_errc::dh_prime_invalid: return "dh_prime is not a 2048-bit safe prime";
      case crypto_errc::dh_generator_invalid: return "DH generator invalid for this prime";
      case crypto_errc::dh_g_out_of_range: return "DH g out of range (1 < g < p - 1)";
      case crypto_errc::dh_g_a_out_of_range: return "DH g_a out of range";
      case crypto_errc::dh_g_b_out_of_range: return "DH g_b out of range";
      case crypto_errc::dh_exponent_invalid: return "DH secret exponent invalid";
      case crypto_errc::pq_not_factorable: return "pq cannot be factored into two primes";
      case crypto_errc::random_failed: return "secure random generator failed";
      case crypto_errc::openssl_failure: return "OpenSSL call failed";
      case crypto_errc::cpu_feature_missing: return "CPU lacks the instructions this implementation needs";
    }
    return "unknown crypto error";
  }
};

}  // namespace

const std::error_category& crypto_category() noexcept {
  static const crypto_category_impl instance;
  return instance;
}

}  // namespace mtproto::crypto

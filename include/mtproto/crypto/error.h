// Errors of the crypto layer: an error_code category, and the exception that carries one
// when a function has no other way to report it (constructors, PEM parsing).
#pragma once

#include <string>
#include <system_error>

namespace mtproto::crypto {

enum class crypto_errc {
  invalid_length = 1,      // input size not allowed (IGE data not a multiple of 16, ...)
  invalid_pem,             // PEM text does not hold an RSA key of the expected kind
  rsa_key_too_small,       // RSA modulus shorter than the scheme needs (RSA_PAD needs 2048 bits)
  rsa_data_too_long,       // plaintext longer than the padding scheme allows
  rsa_decrypt_failed,      // ciphertext does not decrypt to a well-formed padded message
  dh_prime_invalid,        // dh_prime is not a 2048-bit safe prime
  dh_generator_invalid,    // g is not in {2..7} or does not generate the right subgroup mod p
  dh_g_out_of_range,       // g not in 1 < g < p - 1
  dh_g_a_out_of_range,     // g_a outside [2^(2048-64), p - 2^(2048-64)]
  dh_g_b_out_of_range,     // g_b outside [2^(2048-64), p - 2^(2048-64)]
  dh_exponent_invalid,     // secret exponent b is zero or longer than 2048 bits
  pq_not_factorable,       // pq is not a product of two primes we can split
  random_failed,           // the OpenSSL random generator reported failure
  openssl_failure,         // an OpenSSL call failed unexpectedly (allocation, provider)
  cpu_feature_missing,     // an implementation was requested that this CPU cannot run
};

const std::error_category& crypto_category() noexcept;

inline std::error_code make_error_code(crypto_errc e) noexcept {
  return {static_cast<int>(e), crypto_category()};
}

/// Thrown where a crypto function cannot return an error_code.
class crypto_error : public std::system_error {
 public:
  explicit crypto_error(crypto_errc code, const std::string& detail = {})
      : std::system_error(make_error_code(code), detail) {}
  crypto_error(std::error_code code, const std::string& detail) : std::system_error(code, detail) {}
};

}  // namespace mtproto::crypto

template <>
struct std::is_error_code_enum<mtproto::crypto::crypto_errc> : std::true_type {};

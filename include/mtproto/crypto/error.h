/// \file
/// Errors of the crypto layer: an error_code category, and the exception that carries one
/// when a function has no other way to report it (constructors, PEM parsing).
#pragma once

#include <string>
#include <system_error>

#include "mtproto/crypto/export.h"

/// Cryptography, sans-IO: AES-IGE and AES-CTR, SHA-1/SHA-256, the MTProto KDFs, RSA (RSA_PAD and
/// the older scheme), Diffie-Hellman and SRP with every check the spec requires, pq factorisation.
/// Built on OpenSSL, with AES-NI/SHA-NI fast paths. Randomness is always an argument, except in
/// secure_random.
namespace mtproto::crypto {

/// What a crypto function could not do; converts implicitly to std::error_code in
/// crypto_category().
enum class crypto_errc {
  invalid_length = 1,      ///< Input size not allowed (IGE data not a multiple of 16, ...).
  invalid_pem,             ///< PEM text does not hold an RSA key of the expected kind.
  rsa_key_too_small,       ///< RSA modulus shorter than the scheme needs (RSA_PAD needs 2048 bits).
  rsa_data_too_long,       ///< Plaintext longer than the padding scheme allows.
  rsa_decrypt_failed,      ///< Ciphertext does not decrypt to a well-formed padded message.
  dh_prime_invalid,        ///< dh_prime is not a 2048-bit safe prime.
  dh_generator_invalid,    ///< g is not in {2..7} or does not generate the right subgroup mod p.
  dh_g_out_of_range,       ///< g not in 1 < g < p - 1.
  dh_g_a_out_of_range,     ///< g_a outside [2^(2048-64), p - 2^(2048-64)].
  dh_g_b_out_of_range,     ///< g_b outside [2^(2048-64), p - 2^(2048-64)].
  dh_exponent_invalid,     ///< Secret exponent b is zero or longer than 2048 bits.
  pq_not_factorable,       ///< pq is not a product of two primes we can split.
  random_failed,           ///< The OpenSSL random generator reported failure.
  openssl_failure,         ///< An OpenSSL call failed unexpectedly (allocation, provider).
  cpu_feature_missing,     ///< An implementation was requested that this CPU cannot run.
};

/// The category of crypto_errc values, named "mtproto.crypto"; one instance for the program.
MTPROTO_CRYPTO_EXPORT const std::error_category& crypto_category() noexcept;

/// Makes crypto_errc usable as std::error_code (found by argument-dependent lookup).
inline std::error_code make_error_code(crypto_errc e) noexcept {
  return {static_cast<int>(e), crypto_category()};
}

/// Thrown where a crypto function cannot return an error_code.
class MTPROTO_CRYPTO_EXPORT crypto_error : public std::system_error {
 public:
  /// `detail` names what failed ("EVP_EncryptInit_ex2(AES-256-CTR)") and appears in what().
  explicit crypto_error(crypto_errc code, const std::string& detail = {})
      : std::system_error(make_error_code(code), detail) {}
  /// Carries a code of any category, e.g. the `which` a DH check was given.
  crypto_error(std::error_code code, const std::string& detail) : std::system_error(code, detail) {}
};

}  // namespace mtproto::crypto

namespace std {
/// Lets a crypto_errc convert implicitly to std::error_code and compare with one.
template <>
struct is_error_code_enum<mtproto::crypto::crypto_errc> : true_type {};
}  // namespace std

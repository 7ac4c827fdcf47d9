/// \file
/// Errors of the auth-key handshake (both roles). Crypto failures (DH checks, RSA) keep their own
/// crypto_errc codes; these are the protocol-level ones.
#pragma once

#include <system_error>

#include "mtproto/core/export.h"

namespace mtproto::handshake {

/// Why a handshake failed; converts implicitly to std::error_code in handshake_category().
enum class handshake_errc {
  unexpected_message = 1,  ///< A constructor that does not belong at this step, or a message after the end.
  malformed_message,       ///< The message does not decode.
  nonce_mismatch,          ///< nonce not echoed.
  server_nonce_mismatch,   ///< server_nonce not echoed.
  no_known_rsa_key,        ///< None of the server's fingerprints is in our key set.
  bad_pq,                  ///< pq, p, q inconsistent (server side: p*q != pq).
  dh_params_fail,          ///< server_DH_params_fail.
  answer_hash_mismatch,    ///< SHA1 of a decrypted answer does not match.
  bad_encrypted_length,    ///< Encrypted part not a multiple of 16 or too short.
  new_nonce_hash_mismatch, ///< dh_gen_* carries a hash that does not match our key.
  dh_gen_fail,             ///< Server answered dh_gen_fail.
  too_many_retries,        ///< dh_gen_retry more often than allowed.
  rsa_decrypt_failed,      ///< Server: encrypted_data decrypts under neither scheme.
  unknown_fingerprint,     ///< Server: the client chose a key we do not have.
  bad_padding,             ///< An encrypted inner object is followed by 16 or more bytes of padding.
  expiry_out_of_range,     ///< A temporary key's expiry is not positive or does not fit a 32-bit Unix time.
};

/// The category of handshake_errc values, named "mtproto.handshake"; one instance for the program.
MTPROTO_CORE_EXPORT const std::error_category& handshake_category() noexcept;

/// Makes handshake_errc usable as std::error_code (found by argument-dependent lookup).
inline std::error_code make_error_code(handshake_errc e) noexcept {
  return {static_cast<int>(e), handshake_category()};
}

}  // namespace mtproto::handshake

namespace std {
/// Lets a handshake_errc convert implicitly to std::error_code and compare with one.
template <>
struct is_error_code_enum<mtproto::handshake::handshake_errc> : true_type {};
}  // namespace std

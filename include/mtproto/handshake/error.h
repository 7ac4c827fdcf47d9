// Errors of the auth-key handshake (both roles). Crypto failures (DH checks, RSA) keep their own
// crypto_errc codes; these are the protocol-level ones.
#pragma once

#include <system_error>

namespace mtproto::handshake {

enum class handshake_errc {
  unexpected_message = 1,  // a constructor that does not belong at this step, or a message after the end
  malformed_message,       // the message does not decode
  nonce_mismatch,          // nonce not echoed
  server_nonce_mismatch,   // server_nonce not echoed
  no_known_rsa_key,        // none of the server's fingerprints is in our key set
  bad_pq,                  // pq, p, q inconsistent (server side: p*q != pq)
  dh_params_fail,          // server_DH_params_fail
  answer_hash_mismatch,    // SHA1 of a decrypted answer does not match
  bad_encrypted_length,    // encrypted part not a multiple of 16 or too short
  new_nonce_hash_mismatch, // dh_gen_* carries a hash that does not match our key
  dh_gen_fail,             // server answered dh_gen_fail
  too_many_retries,        // dh_gen_retry more often than allowed
  rsa_decrypt_failed,      // server: encrypted_data decrypts under neither scheme
  unknown_fingerprint,     // server: the client chose a key we do not have
};

const std::error_category& handshake_category() noexcept;

inline std::error_code make_error_code(handshake_errc e) noexcept {
  return {static_cast<int>(e), handshake_category()};
}

}  // namespace mtproto::handshake

template <>
struct std::is_error_code_enum<mtproto::handshake::handshake_errc> : std::true_type {};

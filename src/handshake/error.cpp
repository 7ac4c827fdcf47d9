#include "mtproto/handshake/error.h"

#include <string>

namespace mtproto::handshake {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mtproto.handshake"; }
  std::string message(int ev) const override {
    switch (static_cast<handshake_errc>(ev)) {
      case handshake_errc::unexpected_message: return "unexpected message in the handshake";
      case handshake_errc::malformed_message: return "malformed handshake message";
      case handshake_errc::nonce_mismatch: return "nonce mismatch";
      case handshake_errc::server_nonce_mismatch: return "server_nonce mismatch";
      case handshake_errc::no_known_rsa_key: return "server offered no RSA key we know";
      case handshake_errc::bad_pq: return "pq does not factor into the given p and q";
      case handshake_errc::dh_params_fail: return "server refused DH parameters";
      case handshake_errc::bad_padding: return "encrypted inner object has 16 or more bytes of padding";
      case handshake_errc::expiry_out_of_range: return "temporary key expiry out of range";
      case handshake_errc::answer_hash_mismatch: return "decrypted answer fails its SHA-1 check";
      case handshake_errc::bad_encrypted_length: return "encrypted data of a bad length";
      case handshake_errc::new_nonce_hash_mismatch: return "new_nonce_hash mismatch";
      case handshake_errc::dh_gen_fail: return "server answered dh_gen_fail";
      case handshake_errc::too_many_retries: return "too many dh_gen_retry";
      case handshake_errc::rsa_decrypt_failed: return "encrypted_data does not decrypt";
      case handshake_errc::unknown_fingerprint: return "client used an RSA key we do not have";
    }
    return "unknown handshake error";
  }
};

}  // namespace

const std::error_category& handshake_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace mtproto::handshake

// The emulator's RSA key: generated at start (RSA-2048) unless --rsa-key names a PEM file.
// Clients get the public half in the ready file, in Telegram's format (PKCS#1).
#pragma once

#include <string>

namespace mtproto::testdc {

struct rsa_key_pem {
  std::string private_pem;  // PKCS#8 ("BEGIN PRIVATE KEY")
  std::string public_pem;   // PKCS#1 ("BEGIN RSA PUBLIC KEY")
};

inline constexpr int rsa_key_bits = 2048;  // what Telegram's clients accept

/// A fresh key pair; throws std::runtime_error if OpenSSL fails.
rsa_key_pem generate_rsa_key();
/// The PKCS#1 public PEM of a private key PEM (PKCS#1 or PKCS#8); throws std::runtime_error.
std::string public_pem_of(const std::string& private_pem);

}  // namespace mtproto::testdc

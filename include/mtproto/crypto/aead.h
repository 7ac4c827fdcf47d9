/// \file
/// AES-256-GCM, for data this library keeps at rest (encrypted session files). Not used on the
/// wire: MTProto has its own AES-IGE scheme.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "mtproto/crypto/export.h"

namespace mtproto::crypto {

/// AES-256-GCM key size in bytes.
inline constexpr std::size_t gcm_key_size = 32;
/// GCM nonce size in bytes; a nonce must never repeat under one key.
inline constexpr std::size_t gcm_nonce_size = 12;
/// GCM authentication tag size in bytes (appended to the ciphertext).
inline constexpr std::size_t gcm_tag_size = 16;

/// Encrypts `plaintext`, authenticating `aad` with it; returns ciphertext followed by the tag.
MTPROTO_CRYPTO_EXPORT
std::vector<std::uint8_t> gcm_seal(std::span<const std::uint8_t, gcm_key_size> key,
                                   std::span<const std::uint8_t, gcm_nonce_size> nonce,
                                   std::span<const std::uint8_t> aad, std::span<const std::uint8_t> plaintext);

/// Decrypts what gcm_seal produced; nullopt when the tag does not verify (wrong key, or the
/// ciphertext, the tag or `aad` changed).
MTPROTO_CRYPTO_EXPORT
std::optional<std::vector<std::uint8_t>> gcm_open(std::span<const std::uint8_t, gcm_key_size> key,
                                                  std::span<const std::uint8_t, gcm_nonce_size> nonce,
                                                  std::span<const std::uint8_t> aad,
                                                  std::span<const std::uint8_t> sealed);

/// scrypt cost parameters: memory is about 128 * n * r bytes.
struct scrypt_params {
  std::uint64_t n = 1u << 15;  ///< CPU/memory cost, a power of two.
  std::uint32_t r = 8;         ///< Block size.
  std::uint32_t p = 1;         ///< Parallelism.
};

/// Derives `out.size()` bytes from a passphrase with scrypt (RFC 7914). Throws crypto_error for
/// parameters OpenSSL refuses (not a power of two, over its memory limit).
MTPROTO_CRYPTO_EXPORT
void scrypt(std::span<const std::uint8_t> passphrase, std::span<const std::uint8_t> salt, const scrypt_params& params,
            std::span<std::uint8_t> out);

}  // namespace mtproto::crypto

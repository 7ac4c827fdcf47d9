// AES-256-IGE, the MTProto message cipher.
//
// IV layout (32 bytes, as OpenSSL AES_ige_encrypt and MTProto): iv[0:16] = c_{-1}, iv[16:32] = p_{-1}.
//   encrypt: c_i = E(p_i ^ c_{i-1}) ^ p_{i-1}      decrypt: p_i = D(c_i ^ p_{i-1}) ^ c_{i-1}
// Both directions are serial within one message (the AES input of block i depends on the output
// of block i-1), so one message runs at the AES round latency; see ige_decrypt_sha256 for how the
// receive path hides the msg_key hash inside that latency.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "mtproto/crypto/sha.h"

struct evp_cipher_ctx_st;

namespace mtproto::crypto {

enum class aes_backend {
  automatic,  // AES-NI when the CPU has it, otherwise portable
  aesni,      // hand-written AES-NI rounds (throws crypto_errc::cpu_feature_missing if absent)
  portable,   // OpenSSL EVP AES-256-ECB one block at a time
};

/// An expanded AES-256 key for IGE: the encryption and decryption key schedules are computed
/// once here, so each call pays only the rounds. MTProto derives a fresh key per message; with
/// AES-NI the expansion costs well under a microsecond. The schedule is wiped on destruction.
class aes256_ige_key {
 public:
  explicit aes256_ige_key(std::span<const std::uint8_t, 32> key, aes_backend backend = aes_backend::automatic);
  ~aes256_ige_key();
  aes256_ige_key(aes256_ige_key&&) noexcept;
  aes256_ige_key& operator=(aes256_ige_key&&) noexcept;
  aes256_ige_key(const aes256_ige_key&) = delete;
  aes256_ige_key& operator=(const aes256_ige_key&) = delete;

  /// The backend in use (never `automatic`).
  aes_backend backend() const noexcept { return backend_; }

  static constexpr std::size_t rounds = 14;
  using round_keys = std::array<std::uint8_t, (rounds + 1) * 16>;
  const round_keys& encrypt_schedule() const noexcept { return enc_; }
  const round_keys& decrypt_schedule() const noexcept { return dec_; }

  struct ctx_free {
    void operator()(evp_cipher_ctx_st* ctx) const noexcept;
  };
  using ctx_ptr = std::unique_ptr<evp_cipher_ctx_st, ctx_free>;
  evp_cipher_ctx_st* portable_encryptor() const noexcept { return enc_ctx_.get(); }
  evp_cipher_ctx_st* portable_decryptor() const noexcept { return dec_ctx_.get(); }

 private:
  alignas(16) round_keys enc_{};  // AES-NI backend only
  alignas(16) round_keys dec_{};  // AES-NI backend only (equivalent inverse cipher keys)
  ctx_ptr enc_ctx_;               // portable backend only
  ctx_ptr dec_ctx_;
  aes_backend backend_;
};

using ige_iv = std::span<const std::uint8_t, 32>;

/// Encrypts in -> out. Sizes must be equal and a multiple of 16 (crypto_errc::invalid_length
/// otherwise). in and out may be the same buffer (in place) but must not partially overlap.
void ige_encrypt(const aes256_ige_key& key, ige_iv iv, std::span<const std::uint8_t> in, std::span<std::uint8_t> out);
void ige_decrypt(const aes256_ige_key& key, ige_iv iv, std::span<const std::uint8_t> in, std::span<std::uint8_t> out);
inline void ige_encrypt(const aes256_ige_key& key, ige_iv iv, std::span<std::uint8_t> data) {
  ige_encrypt(key, iv, data, data);
}
inline void ige_decrypt(const aes256_ige_key& key, ige_iv iv, std::span<std::uint8_t> data) {
  ige_decrypt(key, iv, data, data);
}

/// The receive path in one pass: decrypts in -> out (same rules as ige_decrypt) and returns
/// SHA-256(hash_prefix || plaintext), i.e. msg_key_large with hash_prefix = auth_key[88+x:120+x].
/// With AES-NI and SHA-NI the hash rounds run between the latency-bound AES rounds, so the hash
/// is nearly free (benchmarks/crypto_bench.cpp); otherwise it decrypts, then hashes.
sha256_digest ige_decrypt_sha256(const aes256_ige_key& key, ige_iv iv, std::span<const std::uint8_t, 32> hash_prefix,
                                 std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

/// Convenience for one-off use: expands the key and encrypts/decrypts.
void ige_encrypt(std::span<const std::uint8_t, 32> key, ige_iv iv, std::span<std::uint8_t> data);
void ige_decrypt(std::span<const std::uint8_t, 32> key, ige_iv iv, std::span<std::uint8_t> data);

}  // namespace mtproto::crypto

/// \file
/// AES-256-IGE, the MTProto message cipher.
///
/// IV layout (32 bytes, as OpenSSL `AES_ige_encrypt` and MTProto): `iv[0:16] = c_{-1}`,
/// `iv[16:32] = p_{-1}`.
///
///     encrypt: c_i = E(p_i ^ c_{i-1}) ^ p_{i-1}      decrypt: p_i = D(c_i ^ p_{i-1}) ^ c_{i-1}
///
/// Both directions are serial within one message (the AES input of block i depends on the output
/// of block i-1), so one message runs at the AES round latency; see ige_decrypt_sha256 for how the
/// receive path hides the msg_key hash inside that latency.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "mtproto/crypto/export.h"
#include "mtproto/crypto/sha.h"

struct evp_cipher_ctx_st;

namespace mtproto::crypto {

/// Which implementation of the AES rounds an aes256_ige_key uses.
enum class aes_backend {
  automatic,  ///< AES-NI when the CPU has it, otherwise portable.
  aesni,      ///< Hand-written AES-NI rounds (throws crypto_errc::cpu_feature_missing if absent).
  portable,   ///< OpenSSL EVP AES-256-ECB one block at a time.
};

/// An expanded AES-256 key for IGE: the encryption and decryption key schedules are computed
/// once here, so each call pays only the rounds. MTProto derives a fresh key per message; with
/// AES-NI the expansion costs well under a microsecond. The schedule is wiped on destruction.
class MTPROTO_CRYPTO_EXPORT aes256_ige_key {
 public:
  /// Expands `key` for `backend`. Throws crypto_error(cpu_feature_missing) when aesni is asked
  /// for and the CPU lacks it, crypto_error(openssl_failure) if the portable setup fails.
  explicit aes256_ige_key(std::span<const std::uint8_t, 32> key, aes_backend backend = aes_backend::automatic);
  /// Wipes the key schedules.
  ~aes256_ige_key();
  /// Takes the schedule; the source must not be used afterwards.
  aes256_ige_key(aes256_ige_key&&) noexcept;
  /// Takes the schedule; the source must not be used afterwards.
  aes256_ige_key& operator=(aes256_ige_key&&) noexcept;
  aes256_ige_key(const aes256_ige_key&) = delete;
  aes256_ige_key& operator=(const aes256_ige_key&) = delete;

  /// The backend in use (never `automatic`).
  aes_backend backend() const noexcept { return backend_; }

  /// AES-256 round count.
  static constexpr std::size_t rounds = 14;
  /// One 16-byte round key per round, plus the initial whitening key.
  using round_keys = std::array<std::uint8_t, (rounds + 1) * 16>;
  /// Encryption round keys, for the AES-NI kernels; all zero with the portable backend.
  const round_keys& encrypt_schedule() const noexcept { return enc_; }
  /// Decryption (equivalent inverse cipher) round keys, for the AES-NI kernels; all zero with the
  /// portable backend.
  const round_keys& decrypt_schedule() const noexcept { return dec_; }

  /// Deleter of an OpenSSL cipher context.
  struct ctx_free {
    /// Frees `ctx` (EVP_CIPHER_CTX_free).
    void operator()(evp_cipher_ctx_st* ctx) const noexcept;
  };
  /// Owning handle of an OpenSSL cipher context.
  using ctx_ptr = std::unique_ptr<evp_cipher_ctx_st, ctx_free>;
  /// AES-256-ECB encryption context of the portable backend; nullptr with AES-NI.
  evp_cipher_ctx_st* portable_encryptor() const noexcept { return enc_ctx_.get(); }
  /// AES-256-ECB decryption context of the portable backend; nullptr with AES-NI.
  evp_cipher_ctx_st* portable_decryptor() const noexcept { return dec_ctx_.get(); }

 private:
  alignas(16) round_keys enc_{};  // AES-NI backend only
  alignas(16) round_keys dec_{};  // AES-NI backend only (equivalent inverse cipher keys)
  ctx_ptr enc_ctx_;               // portable backend only
  ctx_ptr dec_ctx_;
  aes_backend backend_;
};

/// The 32-byte IGE iv: `c_{-1}` then `p_{-1}` (see the file description).
using ige_iv = std::span<const std::uint8_t, 32>;

/// Encrypts in -> out. Sizes must be equal and a multiple of 16 (throws
/// crypto_error(invalid_length) otherwise). in and out may be the same buffer (in place) but must
/// not partially overlap.
MTPROTO_CRYPTO_EXPORT void ige_encrypt(const aes256_ige_key& key, ige_iv iv, std::span<const std::uint8_t> in,
                                       std::span<std::uint8_t> out);
/// Decrypts in -> out; same size and overlap rules as ige_encrypt.
MTPROTO_CRYPTO_EXPORT void ige_decrypt(const aes256_ige_key& key, ige_iv iv, std::span<const std::uint8_t> in,
                                       std::span<std::uint8_t> out);
/// Encrypts `data` in place (size a multiple of 16).
inline void ige_encrypt(const aes256_ige_key& key, ige_iv iv, std::span<std::uint8_t> data) {
  ige_encrypt(key, iv, data, data);
}
/// Decrypts `data` in place (size a multiple of 16).
inline void ige_decrypt(const aes256_ige_key& key, ige_iv iv, std::span<std::uint8_t> data) {
  ige_decrypt(key, iv, data, data);
}

/// The receive path in one pass: decrypts in -> out (same rules as ige_decrypt) and returns
/// SHA-256(hash_prefix || plaintext), i.e. msg_key_large with hash_prefix = auth_key[88+x:120+x].
/// With AES-NI and SHA-NI the hash rounds run between the latency-bound AES rounds, so the hash
/// is nearly free (benchmarks/crypto_bench.cpp); otherwise it decrypts, then hashes.
MTPROTO_CRYPTO_EXPORT sha256_digest ige_decrypt_sha256(const aes256_ige_key& key, ige_iv iv,
                                                       std::span<const std::uint8_t, 32> hash_prefix,
                                                       std::span<const std::uint8_t> in, std::span<std::uint8_t> out);

/// One message of a batch for ige_encrypt_many / ige_decrypt_many.
struct ige_message {
  const aes256_ige_key* key;  ///< Its key (each message of a batch has its own).
  ige_iv iv;                  ///< Its 32-byte IV.
  std::span<const std::uint8_t> in;  ///< Its input, a multiple of 16 bytes.
  std::span<std::uint8_t> out;  ///< Same size as `in`; may be `in` itself, must not overlap another message.
};

/// Encrypts several independent messages. Each chain is serial, so one message leaves the AES
/// units waiting on round latency; with AES-NI, up to four chains run interleaved and the batch
/// goes ~3.5× as fast as one message (benchmarks/crypto_bench.cpp). Same size rules as
/// ige_encrypt for every message; throws crypto_error(invalid_length) before touching any output.
MTPROTO_CRYPTO_EXPORT void ige_encrypt_many(std::span<const ige_message> messages);
/// Decrypts several independent messages, interleaved as ige_encrypt_many.
MTPROTO_CRYPTO_EXPORT void ige_decrypt_many(std::span<const ige_message> messages);

/// One message of a batch for ige_decrypt_sha256_many: what ige_decrypt_sha256 takes, and where
/// its digest goes.
struct ige_received_message {
  const aes256_ige_key* key;                      ///< Its key.
  ige_iv iv;                                      ///< Its 32-byte IV.
  std::span<const std::uint8_t, 32> hash_prefix;  ///< Hashed before the plaintext.
  std::span<const std::uint8_t> in;               ///< The ciphertext, a multiple of 16 bytes.
  std::span<std::uint8_t> out;  ///< Same size as `in`; may be `in` itself, must not overlap another message.
  sha256_digest* digest;        ///< Receives SHA-256(hash_prefix || plaintext).
};

/// The receive path for several packets at once (those several connections have ready): for each
/// message, what ige_decrypt_sha256 does. With AES-NI and SHA-NI four messages at a time run
/// their AES chains interleaved, then their hashes interleaved (about twice the rate of one
/// message: benchmarks/crypto_bench.cpp); otherwise one by one. Same size rules as ige_decrypt for every
/// message; throws crypto_error(invalid_length) before touching any output.
MTPROTO_CRYPTO_EXPORT void ige_decrypt_sha256_many(std::span<const ige_received_message> messages);

/// Convenience for one-off use: expands the key and encrypts `data` in place.
MTPROTO_CRYPTO_EXPORT void ige_encrypt(std::span<const std::uint8_t, 32> key, ige_iv iv, std::span<std::uint8_t> data);
/// Convenience for one-off use: expands the key and decrypts `data` in place.
MTPROTO_CRYPTO_EXPORT void ige_decrypt(std::span<const std::uint8_t, 32> key, ige_iv iv, std::span<std::uint8_t> data);

}  // namespace mtproto::crypto

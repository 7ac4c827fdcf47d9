/// \file
/// RSA for the auth-key handshake: Telegram's public keys, key fingerprints, RSA_PAD (current
/// req_DH_params encryption) and the older SHA1+data+padding scheme, both directions so the same
/// code serves the client and the emulator's server role. Randomness is always passed in, so a
/// recorded handshake replays byte for byte.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

#include "mtproto/crypto/export.h"

struct evp_pkey_st;

namespace mtproto::crypto {

namespace detail {
struct pkey_free {
  void operator()(evp_pkey_st* k) const noexcept;
};
using pkey_ptr = std::shared_ptr<evp_pkey_st>;
}  // namespace detail

/// An RSA public key with its Telegram fingerprint. Copies share the immutable OpenSSL key.
class MTPROTO_CRYPTO_EXPORT rsa_public_key {
 public:
  /// Parses `-----BEGIN RSA PUBLIC KEY-----` (PKCS#1, Telegram's format) or
  /// `-----BEGIN PUBLIC KEY-----` (SPKI). Throws crypto_error(invalid_pem).
  static rsa_public_key from_pem(std::string_view pem);
  /// From big-endian modulus and exponent. Throws crypto_error(invalid_pem) if either is zero.
  static rsa_public_key from_components(std::span<const std::uint8_t> n, std::span<const std::uint8_t> e);

  /// Lower 64 bits of SHA1(tl_bytes(n) || tl_bytes(e)), i.e. digest[12:20] as little-endian int64.
  std::int64_t fingerprint() const noexcept { return fingerprint_; }
  /// Minimal big-endian modulus.
  const std::vector<std::uint8_t>& modulus() const noexcept { return n_; }
  /// Minimal big-endian public exponent.
  const std::vector<std::uint8_t>& exponent() const noexcept { return e_; }
  /// Size of the modulus in bytes (256 for a 2048-bit key).
  std::size_t modulus_bytes() const noexcept { return n_.size(); }
  /// The OpenSSL key, owned by this object (and its copies).
  evp_pkey_st* native() const noexcept { return key_.get(); }

 private:
  explicit rsa_public_key(detail::pkey_ptr key);
  detail::pkey_ptr key_;
  std::vector<std::uint8_t> n_;
  std::vector<std::uint8_t> e_;
  std::int64_t fingerprint_ = 0;
};

/// An RSA private key (the server role: mtproto-testdc, tests). Copies share the OpenSSL key.
class MTPROTO_CRYPTO_EXPORT rsa_private_key {
 public:
  /// Parses `BEGIN RSA PRIVATE KEY` (PKCS#1) or `BEGIN PRIVATE KEY` (PKCS#8, unencrypted).
  /// Throws crypto_error(invalid_pem).
  static rsa_private_key from_pem(std::string_view pem);
  /// The matching public key.
  const rsa_public_key& public_key() const noexcept { return public_; }
  /// The OpenSSL key, owned by this object (and its copies).
  evp_pkey_st* native() const noexcept { return key_.get(); }

 private:
  rsa_private_key(detail::pkey_ptr key, rsa_public_key pub) : key_(std::move(key)), public_(std::move(pub)) {}
  detail::pkey_ptr key_;
  rsa_public_key public_;
};

/// Telegram's built-in server keys: d09d1d85de64fd85 (the production key Telegram publishes) and
/// b25898df208d2603 (published as the test-DC key, but production DCs also offer it in resPQ, as
/// the recorded grammers handshake shows). Select by the fingerprints the server offers.
/// Parsed on first use; the same object every time.
MTPROTO_CRYPTO_EXPORT const rsa_public_key& telegram_production_key();
/// The key with fingerprint b25898df208d2603 (see telegram_production_key).
MTPROTO_CRYPTO_EXPORT const rsa_public_key& telegram_test_key();
/// PEM text of telegram_production_key().
MTPROTO_CRYPTO_EXPORT std::string_view telegram_production_key_pem() noexcept;
/// PEM text of telegram_test_key().
MTPROTO_CRYPTO_EXPORT std::string_view telegram_test_key_pem() noexcept;

// ---- RSA_PAD ------------------------------------------------------------------------------

constexpr std::size_t rsa_pad_max_data = 144;       ///< The spec's limit on the TL data, in bytes.
constexpr std::size_t rsa_pad_padded_size = 192;    ///< Size of data_with_padding.
constexpr std::size_t rsa_pad_random_size = 224;    ///< Padding bytes [0:192) + temp_key [192:224).
constexpr std::size_t rsa_encrypted_size = 256;     ///< Ciphertext size: a 2048-bit modulus.

/// RSA_PAD: data_with_padding = data || random[0 : 192-len]; temp_key = random[192:224];
/// data_with_hash = reverse(data_with_padding) || SHA256(temp_key || data_with_padding);
/// aes = AES256_IGE(data_with_hash, temp_key, iv = 0); temp_key_xor = temp_key ^ SHA256(aes);
/// result = (temp_key_xor || aes)^e mod n. If temp_key_xor || aes >= n, temp_key is incremented as
/// a big-endian 256-bit integer and the steps repeated (deterministic, as grammers does).
/// Needs a 2048-bit key; throws crypto_error(rsa_data_too_long / rsa_key_too_small).
MTPROTO_CRYPTO_EXPORT
std::array<std::uint8_t, rsa_encrypted_size> rsa_pad_encrypt(const rsa_public_key& key, std::span<const std::uint8_t> data,
                                                             std::span<const std::uint8_t, rsa_pad_random_size> random);

/// Server side of RSA_PAD: returns data_with_padding (192 bytes: the TL data then padding), or
/// throws crypto_error(rsa_decrypt_failed) if the hash does not match.
MTPROTO_CRYPTO_EXPORT
std::array<std::uint8_t, rsa_pad_padded_size> rsa_pad_decrypt(const rsa_private_key& key,
                                                              std::span<const std::uint8_t> encrypted);

// ---- The older scheme (before RSA_PAD; Telethon 1.25 still sends it) ------------------------

constexpr std::size_t rsa_legacy_block = 255;  ///< Size of SHA1(data) || data || padding.

/// (SHA1(data) || data || padding)^e mod n, padding = the first 255-20-len bytes of `random`.
/// Needs a 2048-bit key; throws crypto_error (rsa_key_too_small, rsa_data_too_long, or
/// invalid_length when `random` is shorter than the padding).
MTPROTO_CRYPTO_EXPORT
std::array<std::uint8_t, rsa_encrypted_size> rsa_legacy_encrypt(const rsa_public_key& key,
                                                                std::span<const std::uint8_t> data,
                                                                std::span<const std::uint8_t> random);

/// Raw decryption of the older scheme: the 255-byte block SHA1 || data || padding. The data
/// length is only known after parsing the TL inside, so check with rsa_legacy_hash_matches.
/// Throws crypto_error(rsa_decrypt_failed) when the ciphertext is too long or the decrypted
/// block does not start with a zero byte.
MTPROTO_CRYPTO_EXPORT
std::array<std::uint8_t, rsa_legacy_block> rsa_legacy_decrypt(const rsa_private_key& key,
                                                              std::span<const std::uint8_t> encrypted);
/// True if the block's leading SHA-1 is the hash of its first `data_length` data bytes
/// (constant-time compare); false for a length that does not fit.
MTPROTO_CRYPTO_EXPORT bool rsa_legacy_hash_matches(std::span<const std::uint8_t, rsa_legacy_block> block,
                                                   std::size_t data_length);

}  // namespace mtproto::crypto

/// \file
/// MTProto key derivation: MTProto 2.0 msg_key and per-message AES key/iv, auth_key_id and
/// aux_hash, the handshake's new_nonce hashes and temporary AES key, and the MTProto 1.0 KDF that
/// auth.bindTempAuthKey still uses for bind_auth_key_inner.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "mtproto/crypto/export.h"
#include "mtproto/crypto/sha.h"

namespace mtproto::crypto {

/// An auth key is 2048 bits.
constexpr std::size_t auth_key_size = 256;
using auth_key_view = std::span<const std::uint8_t, auth_key_size>;  ///< Borrowed auth key.
using msg_key_bytes = std::array<std::uint8_t, 16>;                  ///< A msg_key.
using msg_key_view = std::span<const std::uint8_t, 16>;              ///< Borrowed msg_key.
using nonce256_view = std::span<const std::uint8_t, 32>;             ///< Borrowed int256 nonce (new_nonce).
using nonce128_view = std::span<const std::uint8_t, 16>;             ///< Borrowed int128 nonce (server_nonce).

/// Which side encrypted the message; the value is MTProto's x (auth_key offset).
enum class direction : unsigned {
  client_to_server = 0,  ///< Sent by the client: x = 0.
  server_to_client = 8,  ///< Sent by the server: x = 8.
};

/// An AES-256-IGE key and iv, as the KDFs produce them.
struct aes_key_iv {
  std::array<std::uint8_t, 32> key;  ///< AES-256 key.
  std::array<std::uint8_t, 32> iv;   ///< IGE iv (see ige_iv).
};

/// auth_key[88+x : 120+x], the part hashed in front of the plaintext for msg_key.
MTPROTO_CRYPTO_EXPORT std::span<const std::uint8_t, 32> msg_key_hash_prefix(auth_key_view auth_key,
                                                                            direction dir) noexcept;

/// msg_key = SHA256(msg_key_hash_prefix || plaintext_with_padding)[8:24].
MTPROTO_CRYPTO_EXPORT msg_key_bytes compute_msg_key(auth_key_view auth_key,
                                                    std::span<const std::uint8_t> plaintext_padded, direction dir);
/// The middle 16 bytes of msg_key_large (for callers that hashed themselves, e.g. ige_decrypt_sha256).
MTPROTO_CRYPTO_EXPORT msg_key_bytes msg_key_from_large(const sha256_digest& msg_key_large) noexcept;

/// MTProto 2.0: aes_key = a[0:8] || b[8:24] || a[24:32], aes_iv = b[0:8] || a[8:24] || b[24:32]
/// with a = SHA256(msg_key || auth_key[x:x+36]), b = SHA256(auth_key[40+x:76+x] || msg_key).
MTPROTO_CRYPTO_EXPORT aes_key_iv derive_message_keys(auth_key_view auth_key, msg_key_view msg_key, direction dir);

/// SHA1(auth_key)[12:20]: the 8 bytes on the wire (the little-endian int64 auth_key_id).
MTPROTO_CRYPTO_EXPORT std::array<std::uint8_t, 8> auth_key_id_bytes(auth_key_view auth_key);
/// auth_key_id as the int64 those 8 bytes encode.
MTPROTO_CRYPTO_EXPORT std::int64_t auth_key_id(auth_key_view auth_key);
/// SHA1(auth_key)[0:8].
MTPROTO_CRYPTO_EXPORT std::array<std::uint8_t, 8> auth_key_aux_hash(auth_key_view auth_key);

/// new_nonce_hashN = SHA1(new_nonce || N || aux_hash)[4:20], N = 1 (dh_gen_ok), 2 (retry), 3 (fail).
MTPROTO_CRYPTO_EXPORT std::array<std::uint8_t, 16> new_nonce_hash(nonce256_view new_nonce, std::uint8_t number,
                                                                  auth_key_view auth_key);

/// The handshake's temporary AES-256-IGE key for server_DH_params_ok / set_client_DH_params:
/// key = SHA1(new_nonce || server_nonce) || SHA1(server_nonce || new_nonce)[0:12]
/// iv  = SHA1(server_nonce || new_nonce)[12:20] || SHA1(new_nonce || new_nonce) || new_nonce[0:4]
MTPROTO_CRYPTO_EXPORT aes_key_iv handshake_tmp_aes(nonce256_view new_nonce, nonce128_view server_nonce);

/// server_salt = new_nonce[0:8] XOR server_nonce[0:8], read as a little-endian int64.
MTPROTO_CRYPTO_EXPORT std::int64_t handshake_first_salt(nonce256_view new_nonce, nonce128_view server_nonce) noexcept;

/// MTProto 1.0 msg_key = SHA1(data)[4:20].
MTPROTO_CRYPTO_EXPORT msg_key_bytes compute_msg_key_v1(std::span<const std::uint8_t> data);
/// MTProto 1.0 KDF (SHA-1 based), x as in 2.0.
MTPROTO_CRYPTO_EXPORT aes_key_iv derive_message_keys_v1(auth_key_view auth_key, msg_key_view msg_key, direction dir);

}  // namespace mtproto::crypto

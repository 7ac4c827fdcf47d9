// Pieces both handshake roles share: TL (de)serialization of single objects and the
// SHA1-prefixed AES-IGE blocks of server_DH_params_ok and set_client_DH_params.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mtproto/crypto/kdf.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/tl/writer.h"

namespace mtproto::handshake::detail {

/// AES block size: encrypted handshake objects are padded to a multiple of it.
inline constexpr std::size_t aes_block = 16;

using tl::serialize;

inline std::span<const std::uint8_t> as_bytes(const std::string& s) noexcept {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

template <class Bytes>
std::string as_string(const Bytes& b) {
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

struct hashed_block {
  crypto::sha1_digest hash;
  std::vector<std::uint8_t> data;  // the object, then padding
};

/// Decrypts SHA1(data) || data || padding. nullopt when the length is not whole AES blocks or
/// is too short to hold the hash.
std::optional<hashed_block> decrypt_with_hash(const crypto::aes_key_iv& key, std::span<const std::uint8_t> encrypted);

/// SHA1(data) || data || padding to a multiple of 16, taking padding from `padding_random`
/// (at least 15 bytes), then AES-256-IGE.
std::vector<std::uint8_t> encrypt_with_hash(const crypto::aes_key_iv& key, std::span<const std::uint8_t> data,
                                            std::span<const std::uint8_t> padding_random);

/// Whether SHA1(object) equals `hash`, in constant time.
bool sha1_prefix_matches(const crypto::sha1_digest& hash, std::span<const std::uint8_t> object);

}  // namespace mtproto::handshake::detail

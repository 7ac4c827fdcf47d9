/// \file
/// SHA-1 and SHA-256, one-shot and incremental. SHA-1 remains in the handshake (fingerprints,
/// auth_key_id, nonce hashes); SHA-256 is the MTProto 2.0 msg_key and KDF hash.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <span>

#include "mtproto/crypto/export.h"

struct evp_md_ctx_st;

namespace mtproto::crypto {

using sha1_digest = std::array<std::uint8_t, 20>;    ///< A SHA-1 digest.
using sha256_digest = std::array<std::uint8_t, 32>;  ///< A SHA-256 digest.
using byte_view = std::span<const std::uint8_t>;     ///< Borrowed input bytes.

/// SHA-1 of `data`.
MTPROTO_CRYPTO_EXPORT sha1_digest sha1(byte_view data);
/// Hash of the concatenation of `parts`, without building it.
MTPROTO_CRYPTO_EXPORT sha1_digest sha1(std::initializer_list<byte_view> parts);
/// SHA-256 of `data`.
MTPROTO_CRYPTO_EXPORT sha256_digest sha256(byte_view data);
/// SHA-256 of the concatenation of `parts`, without building it.
MTPROTO_CRYPTO_EXPORT sha256_digest sha256(std::initializer_list<byte_view> parts);

namespace detail {
struct MTPROTO_CRYPTO_EXPORT evp_md_ctx_free {
  void operator()(evp_md_ctx_st* ctx) const noexcept;
};
}  // namespace detail

/// Incremental SHA-1: update() any number of times, then finish() once.
class MTPROTO_CRYPTO_EXPORT sha1_hasher {
 public:
  /// Starts an empty hash. Throws crypto_error(openssl_failure) if OpenSSL cannot.
  sha1_hasher();
  /// Appends `data` to the hashed input.
  sha1_hasher& update(byte_view data) noexcept;
  /// The digest of everything appended; the hasher must not be used afterwards.
  sha1_digest finish() noexcept;

 private:
  std::unique_ptr<evp_md_ctx_st, detail::evp_md_ctx_free> ctx_;
};

/// Incremental SHA-256: update() any number of times, then finish() once.
class MTPROTO_CRYPTO_EXPORT sha256_hasher {
 public:
  /// Starts an empty hash. Throws crypto_error(openssl_failure) if OpenSSL cannot.
  sha256_hasher();
  /// Appends `data` to the hashed input.
  sha256_hasher& update(byte_view data) noexcept;
  /// The digest of everything appended; the hasher must not be used afterwards.
  sha256_digest finish() noexcept;

 private:
  std::unique_ptr<evp_md_ctx_st, detail::evp_md_ctx_free> ctx_;
};

}  // namespace mtproto::crypto

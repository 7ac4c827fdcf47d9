/// \file
/// AES-256-CTR keystream for the obfuscated2 transport and CDN file parts.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "mtproto/crypto/export.h"

struct evp_cipher_ctx_st;

namespace mtproto::crypto {

/// A stateful AES-256-CTR stream: the keystream continues across calls, so a byte stream may be
/// processed in arbitrary pieces. The 16-byte iv is the initial counter block, incremented as one
/// big-endian 128-bit integer per block (what obfuscated2 and Telegram's CDN use).
/// Movable, not copyable; a moved-from object must not be used.
class MTPROTO_CRYPTO_EXPORT aes256_ctr {
 public:
  /// Starts the keystream at counter block `iv`. Throws crypto_error(openssl_failure) if OpenSSL
  /// cannot set up the cipher.
  aes256_ctr(std::span<const std::uint8_t, 32> key, std::span<const std::uint8_t, 16> iv);
  /// Frees the cipher context.
  ~aes256_ctr();
  /// Takes the stream, position included.
  aes256_ctr(aes256_ctr&&) noexcept;
  /// Takes the stream, position included.
  aes256_ctr& operator=(aes256_ctr&&) noexcept;
  aes256_ctr(const aes256_ctr&) = delete;
  aes256_ctr& operator=(const aes256_ctr&) = delete;

  /// XORs the next data.size() keystream bytes into data.
  void apply(std::span<std::uint8_t> data) noexcept;
  /// out = in XOR keystream; the sizes must be equal (only the shorter length is processed
  /// otherwise). in and out may be the same buffer but must not otherwise overlap.
  void apply(std::span<const std::uint8_t> in, std::span<std::uint8_t> out) noexcept;

 private:
  struct ctx_free {
    void operator()(evp_cipher_ctx_st* ctx) const noexcept;
  };
  std::unique_ptr<evp_cipher_ctx_st, ctx_free> ctx_;
};

}  // namespace mtproto::crypto

// Internal: the portable IGE chaining over any OpenSSL ECB context (block cipher of any key
// size). The public API only uses AES-256; tests also run the AES-128 reference vectors through it.
#pragma once

#include <cstddef>
#include <cstdint>

struct evp_cipher_ctx_st;

namespace mtproto::crypto::detail {

/// `ecb` must be an AES-ECB context without padding, set up for the matching direction.
void portable_ige(evp_cipher_ctx_st* ecb, const std::uint8_t* iv32, const std::uint8_t* in, std::uint8_t* out,
                  std::size_t blocks, bool encrypt) noexcept;

}  // namespace mtproto::crypto::detail

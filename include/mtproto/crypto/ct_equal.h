/// \file
/// Constant-time comparison for msg_key, nonce hashes and other secrets-derived values.
#pragma once

#include <cstdint>
#include <span>

#include "mtproto/crypto/export.h"

namespace mtproto::crypto {

/// True if a and b hold the same bytes. The time depends only on the sizes (which are public),
/// not on where the first difference is. Different sizes compare unequal.
MTPROTO_CRYPTO_EXPORT bool ct_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) noexcept;

}  // namespace mtproto::crypto

/// \file
/// Erasing secrets (keys, nonces, passphrase-derived keys) from memory once they are no longer
/// needed, in a way the compiler may not optimise away.
#pragma once

#include <cstdint>
#include <span>

#include "mtproto/crypto/export.h"

namespace mtproto::crypto {

/// Overwrites `secret` with zeros; never elided as a dead store.
MTPROTO_CRYPTO_EXPORT void secure_wipe(std::span<std::uint8_t> secret) noexcept;

}  // namespace mtproto::crypto

/// \file
/// Operating-system-seeded random bytes for the runtime. The sans-IO protocol core never calls
/// this: it takes random bytes as input so that every exchange can be replayed in tests.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "mtproto/crypto/export.h"

namespace mtproto::crypto {

/// How the protocol core receives randomness (nonces, padding, obfuscated2 inits): a callable
/// that fills a span. The runtime passes secure_random; tests pass a seeded or recorded source.
using random_source = std::function<void(std::span<std::uint8_t>)>;

/// Fills `out` from OpenSSL's CSPRNG; throws crypto_error(random_failed) if it cannot.
MTPROTO_CRYPTO_EXPORT void secure_random(std::span<std::uint8_t> out);

}  // namespace mtproto::crypto

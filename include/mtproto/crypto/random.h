// Operating-system-seeded random bytes for the runtime. The sans-IO protocol core never calls
// this: it takes random bytes as input so that every exchange can be replayed in tests.
#pragma once

#include <cstdint>
#include <span>

namespace mtproto::crypto {

/// Fills `out` from OpenSSL's CSPRNG; throws crypto_error(random_failed) if it cannot.
void secure_random(std::span<std::uint8_t> out);

}  // namespace mtproto::crypto

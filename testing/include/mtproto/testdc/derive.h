// Every id, access hash and key the emulator publishes is a hash of (seed, label), so one --seed
// reproduces the whole catalog and different labels never collide in practice.
#pragma once

#include <cstdint>
#include <string_view>

namespace mtproto::testdc {

/// The deterministic 64-bit value for (seed, label): ids and access hashes.
std::uint64_t derive_u64(std::uint64_t seed, std::string_view label);

}  // namespace mtproto::testdc

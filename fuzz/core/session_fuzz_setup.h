// What the session fuzzers share: one fixed auth key, session id, salt and start time, and padding
// bytes from a counter, so every input is a pure function of its bytes and a crash replays.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include "mtproto/core/auth_key.h"
#include "mtproto/core/clock.h"

namespace mtproto::fuzz::session_setup {

inline constexpr std::int64_t session_id = 0x1122334455667788;
inline constexpr std::int64_t initial_salt = 0x0102030405060708;
/// Local time of the first packet (mid-2025).
inline const core::clock::time_point start = core::clock::time_point(std::chrono::seconds(1'750'000'000));

/// A random_source that counts: padding varies from call to call but needs no seed.
inline void counter_random(std::span<std::uint8_t> out) {
  static std::uint8_t n = 0;
  for (auto& b : out) b = n++;
}

/// The session's auth key: fixed bytes, so the fuzzer can seal packets under it.
inline const core::auth_key& key() {
  static const core::auth_key k = [] {
    core::auth_key::bytes_type b;
    for (std::size_t i = 0; i < b.size(); ++i) b[i] = static_cast<std::uint8_t>(i * 7 + 3);
    return core::auth_key(b);
  }();
  return k;
}

}  // namespace mtproto::fuzz::session_setup

// Run-time CPU detection for the hand-written fast paths (checked once, then cached).
#pragma once

namespace mtproto::crypto {

struct cpu_features {
  bool aesni = false;   // AES-NI + SSE4.1: the IGE fast path
  bool sha_ni = false;  // SHA extensions + SSE4.1: SHA-256 fast path and fused decrypt+hash
};

const cpu_features& detected_cpu_features() noexcept;

}  // namespace mtproto::crypto

/// \file
/// Run-time CPU detection for the hand-written fast paths (checked once, then cached).
#pragma once

#include "mtproto/crypto/export.h"

namespace mtproto::crypto {

/// Instruction-set extensions the fast paths need; all false off x86-64.
struct cpu_features {
  bool aesni = false;   ///< AES-NI + SSE4.1: the IGE fast path.
  bool sha_ni = false;  ///< SHA extensions + SSE4.1: SHA-256 fast path and fused decrypt+hash.
  /// VAES + AVX2 (and the OS saving ymm state) besides AES-NI: eight IGE chains at once.
  bool vaes = false;
};

/// What this CPU has, detected by CPUID on first call; thread-safe, the same object every time.
/// The environment variable `MTPROTO_DISABLE_CPU_FEATURES` (comma-separated: `aesni`, `sha_ni`, `vaes`;
/// `aesni` takes `vaes` with it)
/// turns detected extensions off for the whole process, so the portable paths can be tested and
/// compared on CPUs that have them.
MTPROTO_CRYPTO_EXPORT const cpu_features& detected_cpu_features() noexcept;

}  // namespace mtproto::crypto

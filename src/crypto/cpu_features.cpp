#include "mtproto/crypto/cpu_features.h"

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace mtproto::crypto {

const cpu_features& detected_cpu_features() noexcept {
  static const cpu_features features = [] {
    cpu_features f;
#if defined(__x86_64__)
    // CPUID directly: clang 14's __builtin_cpu_supports does not know "sha".
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
      const bool sse41 = ecx & (1u << 19);
      f.aesni = sse41 && (ecx & (1u << 25));
      if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) f.sha_ni = sse41 && (ebx & (1u << 29));
    }
#endif
    return f;
  }();
  return features;
}

}  // namespace mtproto::crypto

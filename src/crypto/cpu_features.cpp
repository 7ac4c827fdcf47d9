#include "mtproto/crypto/cpu_features.h"

#include <cstdlib>
#include <string_view>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

namespace mtproto::crypto {
namespace {

/// Whether `name` is one of the comma-separated words of `list`.
bool listed(std::string_view list, std::string_view name) {
  while (!list.empty()) {
    const auto comma = list.find(',');
    if (list.substr(0, comma) == name) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

const cpu_features& detected_cpu_features() noexcept {
  static const cpu_features features = [] {
    cpu_features f;
#if defined(__x86_64__)
    // CPUID directly: clang 14's __builtin_cpu_supports does not know "sha".
    unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
      const bool sse41 = ecx & (1u << 19);
      f.aesni = sse41 && (ecx & (1u << 25));
      // ymm registers need AVX and the OS saving their state (OSXSAVE, then XCR0's SSE and AVX bits).
      bool ymm = false;
      if ((ecx & (1u << 27)) && (ecx & (1u << 28))) {
        unsigned lo = 0, hi = 0;
        __asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        ymm = (lo & 6u) == 6u;
      }
      if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
        f.sha_ni = sse41 && (ebx & (1u << 29));
        f.vaes = f.aesni && ymm && (ebx & (1u << 5)) && (ecx & (1u << 9));  // AVX2, VAES
      }
    }
#endif
    // The portable paths are tested on CPUs that have the extensions by switching them off here.
    if (const char* off = std::getenv("MTPROTO_DISABLE_CPU_FEATURES")) {
      if (listed(off, "aesni")) f.aesni = f.vaes = false;
      if (listed(off, "vaes")) f.vaes = false;
      if (listed(off, "sha_ni")) f.sha_ni = false;
    }
    return f;
  }();
  return features;
}

}  // namespace mtproto::crypto

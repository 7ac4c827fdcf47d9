#include "mtproto/crypto/cpu_features.h"

namespace mtproto::crypto {

const cpu_features& detected_cpu_features() noexcept {
  static const cpu_features features = [] {
    cpu_features f;
#if defined(__x86_64__)
    __builtin_cpu_init();
    const bool sse41 = __builtin_cpu_supports("sse4.1");
    f.aesni = sse41 && __builtin_cpu_supports("aes");
    f.sha_ni = sse41 && __builtin_cpu_supports("sha");
#endif
    return f;
  }();
  return features;
}

}  // namespace mtproto::crypto

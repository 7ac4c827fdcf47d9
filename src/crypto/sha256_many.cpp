#include "mtproto/crypto/sha256_many.h"

#include "mtproto/crypto/cpu_features.h"
#include "x86_kernels.h"

namespace mtproto::crypto {

void sha256_prefixed_many(std::span<const sha256_prefixed_input> inputs) {
#if defined(__x86_64__)
  if (detected_cpu_features().sha_ni) {
    detail::sha256_stream lanes[4];
    std::size_t filled = 0;
    for (const auto& in : inputs) {
      if (in.data.size() % 16 != 0) {
        *in.out = sha256({in.prefix, in.data});
        continue;
      }
      lanes[filled++] = {in.prefix.data(), in.data.data(), in.data.size() / 16, in.out->data()};
      if (filled == 4) {
        detail::shani_sha256_prefixed_x4(lanes, filled);
        filled = 0;
      }
    }
    if (filled > 0) detail::shani_sha256_prefixed_x4(lanes, filled);
    return;
  }
#endif
  for (const auto& in : inputs) *in.out = sha256({in.prefix, in.data});
}

}  // namespace mtproto::crypto

#include "mtproto/core/large_buffers.h"

#if __has_include(<malloc.h>)
#include <malloc.h>
#endif

namespace mtproto::core {

void keep_large_buffers_in_heap() noexcept {
#if defined(M_MMAP_THRESHOLD) && defined(M_TRIM_THRESHOLD)
  mallopt(M_MMAP_THRESHOLD, 64 << 20);
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
#endif
}

}  // namespace mtproto::core

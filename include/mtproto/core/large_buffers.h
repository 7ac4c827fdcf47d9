/// \file
/// Allocator tuning for programs that move file parts (up to 1 MiB each) through fresh buffers.
#pragma once

#include "mtproto/core/export.h"

namespace mtproto::core {

/// With glibc, buffers of a part's size are served by a fresh mmap and given back with munmap (or
/// by trimming the heap), so every part costs ~256 page faults and the kernel's zeroing of them:
/// 8% of tgdl's CPU and a fifth of mtproto-testdc's at loopback rates. This keeps such buffers in
/// the heap for reuse (mmap only above 64 MiB, trim only above 256 MiB free). Process-wide, so a
/// program calls it once at start, before its threads; the library never calls it itself. A
/// no-op where the C library has no such knobs.
MTPROTO_CORE_EXPORT void keep_large_buffers_in_heap() noexcept;

}  // namespace mtproto::core

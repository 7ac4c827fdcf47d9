# Warnings and sanitizers for everything this project compiles (not for consumers).
if(PROJECT_IS_TOP_LEVEL)
  add_compile_options(-Wall -Wextra -Wpedantic)
endif()

if(MTPROTO_SANITIZE AND MTPROTO_SANITIZE_THREAD)
  message(FATAL_ERROR "MTPROTO_SANITIZE and MTPROTO_SANITIZE_THREAD cannot be combined (ASan and TSan exclude each other)")
endif()
if(MTPROTO_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
if(MTPROTO_SANITIZE_THREAD)
  # -Wno-tsan: GCC warns at every inlined std::atomic_thread_fence (Asio's fenced blocks).
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer $<$<CXX_COMPILER_ID:GNU>:-Wno-tsan>)
  add_link_options(-fsanitize=thread)
endif()

# With libFuzzer every target gets coverage instrumentation, so fuzzers see inside the library.
set(MTPROTO_FUZZ_ENGINE "standalone" CACHE STRING "standalone | libfuzzer")
if(MTPROTO_FUZZ_ENGINE STREQUAL "libfuzzer")
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# mtproto_unoptimized_here(): with MTPROTO_UNOPTIMIZED_TESTS, what the calling directory builds is
# compiled at -O0 (tests, examples, benchmarks: code around the library, ~40% of the CI build's
# compile time saved; the library, where the work happens, keeps its optimisation).
macro(mtproto_unoptimized_here)
  if(MTPROTO_UNOPTIMIZED_TESTS)
    add_compile_options(-O0)
  endif()
  # Test files share most of their headers (Asio, Catch2, the emulator): compiled together, each
  # header is parsed and each template instantiated once per target, not once per file (about
  # 2.5x less compile time for an end-to-end test binary under ASan).
  if(MTPROTO_UNITY_TESTS)
    set(CMAKE_UNITY_BUILD ON)
    set(CMAKE_UNITY_BUILD_BATCH_SIZE 8)
  endif()
endmacro()

# Warnings and sanitizers for everything this project compiles (not for consumers).
if(PROJECT_IS_TOP_LEVEL)
  add_compile_options(-Wall -Wextra -Wpedantic)
endif()

if(MTPROTO_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

# With libFuzzer every target gets coverage instrumentation, so fuzzers see inside the library.
set(MTPROTO_FUZZ_ENGINE "standalone" CACHE STRING "standalone | libfuzzer")
if(MTPROTO_FUZZ_ENGINE STREQUAL "libfuzzer")
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

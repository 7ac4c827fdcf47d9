# Every dependency comes from a Debian 12 package; a missing one stops configure and names it.

function(mtproto_require found what package)
  if(NOT ${found})
    message(FATAL_ERROR "mtproto: ${what} not found. Install it with: apt-get install ${package}")
  endif()
endfunction()

# A library whose Debian package ships neither a CMake config nor a pkg-config file: found by its
# header and library, as the imported target `target`.
function(mtproto_require_plain_library target header library what package)
  string(MAKE_C_IDENTIFIER "${target}" id)
  find_path(MTPROTO_${id}_INCLUDE_DIR "${header}")
  find_library(MTPROTO_${id}_LIBRARY "${library}")
  mtproto_require(MTPROTO_${id}_LIBRARY "${what}" "${package}")
  mtproto_require(MTPROTO_${id}_INCLUDE_DIR "${what}" "${package}")
  if(NOT TARGET ${target})
    add_library(${target} UNKNOWN IMPORTED GLOBAL)
    set_target_properties(${target} PROPERTIES
      IMPORTED_LOCATION "${MTPROTO_${id}_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${MTPROTO_${id}_INCLUDE_DIR}")
  endif()
endfunction()

find_package(OpenSSL 3.0 QUIET)
mtproto_require(OpenSSL_FOUND "OpenSSL 3 (libcrypto)" libssl-dev)

find_package(ZLIB QUIET)
mtproto_require(ZLIB_FOUND "zlib" zlib1g-dev)

find_package(fmt 9 QUIET CONFIG)
mtproto_require(fmt_FOUND "fmt 9" libfmt-dev)

find_package(Threads REQUIRED)

find_path(MTPROTO_ASIO_INCLUDE_DIR asio.hpp)
mtproto_require(MTPROTO_ASIO_INCLUDE_DIR "standalone Asio (asio.hpp)" libasio-dev)
if(NOT TARGET mtproto::asio)
  # Asio 1.22 does not detect clang's C++20 coroutines; they work with libstdc++'s <coroutine>.
  # It also picks aligned_alloc or operator new per translation unit, depending on whether a
  # standard header came before it: mixed, memory from one is freed by the other (ASan
  # alloc-dealloc-mismatch). ASIO_DISABLE_STD_ALIGNED_ALLOC makes every unit agree.
  add_library(mtproto::asio INTERFACE IMPORTED GLOBAL)
  set_target_properties(mtproto::asio PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${MTPROTO_ASIO_INCLUDE_DIR}"
    INTERFACE_COMPILE_DEFINITIONS "ASIO_STANDALONE;ASIO_NO_DEPRECATED;ASIO_DISABLE_STD_ALIGNED_ALLOC;$<$<CXX_COMPILER_ID:Clang>:ASIO_HAS_CO_AWAIT=1;ASIO_HAS_STD_COROUTINE=1>"
    INTERFACE_LINK_LIBRARIES Threads::Threads)
  # GCC 12 misreads the custom operator new/delete of Asio's coroutine frames at -O2.
  set_property(TARGET mtproto::asio APPEND PROPERTY INTERFACE_COMPILE_OPTIONS
    $<$<CXX_COMPILER_ID:GNU>:-Wno-mismatched-new-delete>)
endif()

if(MTPROTO_BUILD_EXAMPLES)
  # tgdl's command line; the library itself does not need it.
  find_package(CLI11 2 QUIET CONFIG)
  mtproto_require(CLI11_FOUND "CLI11 2 (CLI/CLI.hpp)" libcli11-dev)
endif()
if(MTPROTO_BUILD_EXAMPLES OR MTPROTO_BUILD_EMULATOR OR MTPROTO_BUILD_TESTING OR MTPROTO_BUILD_BENCHMARKS)
  # The ready file (testing/: written by the emulator, read by the examples and tests), the
  # examples' --json output and the tests' known-answer vectors; the library itself does not need it.
  find_package(nlohmann_json 3 QUIET CONFIG)
  mtproto_require(nlohmann_json_FOUND "nlohmann/json 3" nlohmann-json3-dev)
endif()

if(MTPROTO_BUILD_EXAMPLES OR MTPROTO_BUILD_FUZZERS)
  # tgstream's HTTP/1.1 request parsing (the Node.js parser, incremental).
  mtproto_require_plain_library(mtproto::http_parser http_parser.h http_parser
                                "http-parser (http_parser.h, libhttp_parser)" libhttp-parser-dev)
  # Redis, for tgstream's state shared between nodes (hiredis's async API, on an Asio adapter).
  mtproto_require_plain_library(mtproto::hiredis hiredis/async.h hiredis
                                "hiredis (hiredis/async.h, libhiredis)" libhiredis-dev)
endif()

if(MTPROTO_BUILD_EXAMPLES OR MTPROTO_BUILD_EMULATOR OR MTPROTO_BUILD_TESTING OR MTPROTO_BUILD_BENCHMARKS
   OR MTPROTO_BUILD_FUZZERS)
  # libavformat: the emulator reads a --media file's duration and picture size from its container,
  # tgstream remuxes into fragmented MP4; the library itself does not need it.
  find_package(PkgConfig QUIET)
  if(PkgConfig_FOUND)
    pkg_check_modules(MTPROTO_LIBAV QUIET IMPORTED_TARGET GLOBAL libavformat>=59 libavcodec>=59 libavutil>=57)
  endif()
  mtproto_require(MTPROTO_LIBAV_FOUND "libavformat 59 (FFmpeg 5)" "libavformat-dev pkg-config")
  if(NOT TARGET mtproto::libav)
    add_library(mtproto::libav ALIAS PkgConfig::MTPROTO_LIBAV)
  endif()
endif()

if(MTPROTO_BUILD_TESTING)
  find_package(Catch2 2.13 QUIET CONFIG)
  mtproto_require(Catch2_FOUND "Catch2 2.13" catch2)
endif()

include(TestBigEndian)
test_big_endian(MTPROTO_BIG_ENDIAN)
if(MTPROTO_BIG_ENDIAN)
  message(FATAL_ERROR "mtproto: only little-endian targets are supported")
endif()

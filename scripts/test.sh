#!/usr/bin/env bash
# The whole test suite, from a fresh Debian 12 machine: installs what is missing, builds with
# ASan+UBSan (every fuzz target runs as a test with the standalone driver), the threaded runtime
# tests with TSan, with MTPROTO_LIBFUZZER=1 also the libFuzzer targets with clang (each then runs
# for a bounded time as a ctest test), and ends with ctest's summary (non-zero exit on any failure).
set -euo pipefail
cd "$(dirname "$0")/.."
# Each phase says how long it took: CI has a time budget, and this is where it goes.
phase_start=$SECONDS
phase_done() {
  echo "test.sh: $1 took $((SECONDS - phase_start)) s"
  phase_start=$SECONDS
}
# lld: links the test programs ~3x faster than ld.bfd (there are ~50 of them, each with the library).
# chromium: the browser tgstream's web page is tested in (driven by playwright-core, below).
bash scripts/install-deps.sh lld chromium
# gram.js, teleproto and mtcute, independent clients of tests/interop, and the other clients'
# schemas that testing/compat/layer_history.tl is checked against, exactly as locked (skipped
# without npm). mtcute without install scripts: its SQLite storage's native module is not used.
if command -v npm >/dev/null; then
  (cd tests/interop/gramjs && npm ci --no-audit --no-fund --loglevel=error)
  (cd tests/interop/mtcute && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  (cd testing/compat && npm ci --no-audit --no-fund --loglevel=error)
  (cd tests/tgstream/browser && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "test.sh: npm not found; the gram.js, teleproto and mtcute interop tests, the layer history check and the browser test will be skipped"
fi
phase_done "installing dependencies"

jobs=${MTPROTO_JOBS:-$(nproc)}
# -O1 with line tables only: what ASan recommends, and ~45% less compile time than -O2 -g on the
# generated API sources (the bulk of the build); reports keep file:line.
sanitized_flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG")
# The generated (de)serialisers at -O0 in every build here: ~40% less compile on 500+ CPU-seconds
# per build, little run time next to the crypto.
sanitized_flags+=(-DMTPROTO_UNOPTIMIZED_GENERATED=ON)
# Test and example files compiled a few at a time (MTPROTO_UNITY_TESTS): their headers parsed once
# per batch; an end-to-end test binary compiles ~2.5x faster.
sanitized_flags+=(-DMTPROTO_UNITY_TESTS=ON)
linker=()
if command -v ld.lld >/dev/null; then
  linker=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld -DCMAKE_SHARED_LINKER_FLAGS=-fuse-ld=lld)
fi
sanitized_flags+=("${linker[@]}")
build=${MTPROTO_TEST_BUILD_DIR:-build/test}
fuzz_build=${MTPROTO_FUZZ_BUILD_DIR:-build/fuzz}
tsan_build=${MTPROTO_TSAN_BUILD_DIR:-build/tsan}
extra=()

# Every fuzz target runs in the main build with the standalone driver (20,000 seeded and mutated
# inputs each, under ASan+UBSan). MTPROTO_LIBFUZZER=1 adds a clang build of them as coverage-guided
# libFuzzer targets, 5 s each: about 5 more minutes on 2 cores, which CI's time budget leaves out.
if [ "${MTPROTO_LIBFUZZER:-0}" != 1 ]; then
  echo "test.sh: the libFuzzer pass is off (MTPROTO_LIBFUZZER=1 turns it on); fuzz targets run with the standalone driver"
elif command -v clang++ >/dev/null && echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long){return 0;}' \
     | clang++ -x c++ -fsanitize=fuzzer - -o /tmp/mtproto-fuzz-probe 2>/dev/null; then
  cmake -S . -B "$fuzz_build" -DCMAKE_CXX_COMPILER=clang++ "${sanitized_flags[@]}" \
    -DMTPROTO_SANITIZE=ON -DMTPROTO_FUZZ_ENGINE=libfuzzer \
    -DMTPROTO_BUILD_TESTING=OFF -DMTPROTO_BUILD_EXAMPLES=OFF -DMTPROTO_BUILD_BENCHMARKS=OFF >/dev/null
  cmake --build "$fuzz_build" --target mtproto_fuzzers -j "$jobs"
  phase_done "the libFuzzer build"
  # 5 s per fuzzer (28 targets): a smoke run; long campaigns run by hand.
  extra+=("-DMTPROTO_LIBFUZZER_BUILD_DIR=$(cd "$fuzz_build" && pwd)" -DMTPROTO_LIBFUZZER_SECONDS=5)
else
  echo "test.sh: clang with libFuzzer not found; fuzz targets run only with the standalone driver"
fi

# ThreadSanitizer: the runtime's threaded tests (tests/client/threads_test.cpp) from a build of just
# their target, registered in the main ctest run as tsan_test_client_threads. Unoptimized: races
# do not need -O1, and the build is ~40% cheaper (the test takes ~10 s instead of ~5). Kernels
# with more than 28 bits of mmap randomness break GCC 12's TSan runtime; lower it when allowed.
tsan_probe() {
  echo 'int main(){}' | g++ -x c++ -fsanitize=thread - -o /tmp/mtproto-tsan-probe 2>/dev/null && /tmp/mtproto-tsan-probe
}
if ! tsan_probe 2>/dev/null && [ "$(sysctl -n vm.mmap_rnd_bits 2>/dev/null || echo 0)" -gt 28 ]; then
  sysctl -w vm.mmap_rnd_bits=28 >/dev/null 2>&1 || true
fi
if tsan_probe 2>/dev/null; then
  cmake -S . -B "$tsan_build" -DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O0 -g1 -DNDEBUG" \
    -DMTPROTO_UNITY_TESTS=ON "${linker[@]}" -DMTPROTO_SANITIZE_THREAD=ON -DMTPROTO_BUILD_EXAMPLES=OFF -DMTPROTO_BUILD_BENCHMARKS=OFF \
    -DMTPROTO_BUILD_FUZZERS=OFF >/dev/null
  cmake --build "$tsan_build" --target test_client_threads test_testdc_threads -j "$jobs"
  phase_done "the TSan build"
  extra+=("-DMTPROTO_TSAN_BUILD_DIR=$(cd "$tsan_build" && pwd)")
else
  echo "test.sh: ThreadSanitizer programs do not run here; the TSan pass is skipped"
fi

# Tests, examples and benchmarks at -O0 (MTPROTO_UNOPTIMIZED_TESTS): the library they exercise
# keeps -O1, and the build is ~8 minutes shorter on 2 cores.
cmake -S . -B "$build" "${sanitized_flags[@]}" -DMTPROTO_SANITIZE=ON -DMTPROTO_UNOPTIMIZED_TESTS=ON "${extra[@]}" >/dev/null
cmake --build "$build" -j "$jobs"
phase_done "the ASan+UBSan build"
cd "$build"
ctest --output-on-failure -j "$jobs" --timeout 600

#!/usr/bin/env bash
# Every benchmark table, from a fresh Debian 12 machine: installs what is missing, builds a Release
# build of the benchmark programs, tgdl and mtproto-testdc, runs each benchmark and tees its table
# into benchmarks/results/NAME.txt (peers_bench also writes its CSV and JSON there). Nothing is
# committed. About 15 minutes on 2 cores after the build.
#
# MTPROTO_BENCH_BUILD_DIR (default build/bench) and MTPROTO_BENCH_JOBS (default nproc) tune the build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

build=${MTPROTO_BENCH_BUILD_DIR:-build/bench}
jobs=${MTPROTO_BENCH_JOBS:-$(nproc)}
results=benchmarks/results

echo "== building the benchmarks, tgdl and mtproto-testdc (Release) in $build"
# Every part is named ON or OFF: a build directory configured before keeps its cached choices.
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMTPROTO_BUILD_TESTING=OFF -DMTPROTO_BUILD_FUZZERS=OFF \
  -DMTPROTO_BUILD_EXAMPLES=ON -DMTPROTO_BUILD_EMULATOR=ON -DMTPROTO_BUILD_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j "$jobs" \
  --target crypto_bench session_bench testdc_bench download_bench tgstream_bench tgdl mtproto-testdc

# gram.js and mtcute, peers_bench's TypeScript clients, exactly as locked (peers_bench skips them
# without); mtcute without install scripts (its SQLite module is not used).
for peer in gramjs mtcute; do
  if [ ! -d tests/interop/$peer/node_modules ]; then
    if command -v npm >/dev/null; then
      flags=(--no-audit --no-fund --loglevel=error)
      [ "$peer" = mtcute ] && flags+=(--ignore-scripts)
      (cd tests/interop/$peer && npm ci "${flags[@]}")
    else
      echo "run.sh: npm not found; peers_bench will skip $peer"
    fi
  fi
done

mkdir -p "$results"
cpu=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
commit=$(git describe --always --dirty 2>/dev/null || echo unknown)

# bench NAME COMMAND...: runs COMMAND, its table on the terminal and in $results/NAME.txt, under a
# line saying when, where and from which commit (the C++ programs print only the table).
bench() {
  local name=$1
  shift
  echo "== $name"
  { echo "$name, $(date -Iseconds), $cpu, commit $commit"; echo; "$@"; } | tee "$results/$name.txt"
}

bench crypto_bench "$build/benchmarks/crypto_bench"
bench session_bench "$build/benchmarks/session_bench"
bench testdc_bench "$build/benchmarks/testdc_bench"
bench download_bench "$build/benchmarks/download_bench"  # about 2 minutes: 64 MiB to 4 GiB, throttled
bench tgstream_bench "$build/benchmarks/tgstream_bench"  # about a minute: 1, 10, 100 HTTP streams
# peers_bench prints its own date and CPU. gram.js and Telethon (without cryptg) spend their CPU at
# 4-7 MB/s, one part at a time, throttled or not: 128M unthrottled and 32M throttled keep its six
# scenarios x five configurations x three runs near 11 minutes (its defaults, 256M and 64M, double it).
echo "== peers_bench"
python3 benchmarks/peers_bench.py --tgdl "$build/examples/tgdl/tgdl" --testdc "$build/testing/mtproto-testdc" \
  --size 128M --throttled-size 32M --out-dir "$results" | tee "$results/peers_bench.txt"
echo "== tables in $results/"

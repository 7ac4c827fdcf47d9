#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: installs what is missing, builds mtproto-testdc
# (the Telegram DC emulator) and tgcall (Release), starts the emulator, downloads a fixture by its
# t.me link with `tgcall get-file`, and shows that tgcall's SHA-256 matches the one the emulator
# published. Exits non-zero on any failure or a mismatch.
#
# MTPROTO_DEMO_BUILD_DIR (default build/demo) and MTPROTO_DEMO_JOBS (default nproc) tune the build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

build=${MTPROTO_DEMO_BUILD_DIR:-build/demo}
jobs=${MTPROTO_DEMO_JOBS:-$(nproc)}
# A stuck emulator or client never outlives this many seconds.
emulator_max_seconds=600
ready_wait_tenths=600

echo "== building mtproto-testdc and tgcall (Release) in $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMTPROTO_BUILD_TESTING=OFF \
  -DMTPROTO_BUILD_EXAMPLES=ON -DMTPROTO_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target mtproto-testdc tgcall -j "$jobs"
testdc=$build/testing/mtproto-testdc
tgcall=$build/examples/tgcall/tgcall

work=$(mktemp -d)
dc_pid=
cleanup() {
  if [ -n "$dc_pid" ]; then
    kill "$dc_pid" 2>/dev/null || true
    wait "$dc_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== starting mtproto-testdc"
"$testdc" --ready-file "$work/ready.json" --max-seconds "$emulator_max_seconds" >"$work/testdc.log" 2>&1 &
dc_pid=$!
for _ in $(seq "$ready_wait_tenths"); do
  [ -f "$work/ready.json" ] && break
  kill -0 "$dc_pid" 2>/dev/null || break
  sleep 0.1
done
if [ ! -f "$work/ready.json" ]; then
  echo "demo: mtproto-testdc did not start:" >&2
  cat "$work/testdc.log" >&2
  exit 1
fi

# The first fixture the emulator published: its t.me link, SHA-256 and the bot token.
read -r link expected token < <(python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
f = r["files"][0]
print(f["link"], f["sha256"], r["bot_token"])' "$work/ready.json")

echo "== tgcall --dc-config ready.json --bot-token TOKEN --json get-file $link -o OUT"
"$tgcall" --dc-config "$work/ready.json" --bot-token "$token" --json get-file "$link" -o "$work/out.bin" \
  | tee "$work/result.json"
got=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["sha256"])' "$work/result.json")
on_disk=$(sha256sum "$work/out.bin" | cut -d' ' -f1)

echo "emulator sha256: $expected"
echo "tgcall   sha256: $got"
echo "file     sha256: $on_disk"
if [ "$got" = "$expected" ] && [ "$on_disk" = "$expected" ]; then
  echo "MATCH"
else
  echo "MISMATCH" >&2
  exit 1
fi

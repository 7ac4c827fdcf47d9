#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: installs what is missing, builds mtproto-testdc
# (the Telegram DC emulator) and tgdl (Release), starts the emulator, downloads its fixtures by
# their t.me links with tgdl (one on DC 1, one on DC 2, then one more through a flood storm from a
# second emulator started with --flood-every), and shows that every SHA-256 tgdl computed, and
# every file on disk, matches the one the emulator published. Exits non-zero on any failure or
# mismatch.
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

echo "== building mtproto-testdc and tgdl (Release) in $build"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMTPROTO_BUILD_TESTING=OFF \
  -DMTPROTO_BUILD_EXAMPLES=ON -DMTPROTO_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target mtproto-testdc tgdl -j "$jobs"
testdc=$build/testing/mtproto-testdc
tgdl=$build/examples/tgdl/tgdl

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

# start_emulator NAME ARGS...: starts mtproto-testdc and waits for $work/NAME-ready.json.
start_emulator() {
  local name=$1
  shift
  "$testdc" --ready-file "$work/$name-ready.json" --max-seconds "$emulator_max_seconds" "$@" \
    >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq "$ready_wait_tenths"); do
    [ -f "$work/$name-ready.json" ] && return 0
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  echo "demo: mtproto-testdc ($name) did not start:" >&2
  cat "$work/$name.log" >&2
  exit 1
}

# download NAME [TGDL OPTIONS]: every fixture of emulator NAME by its t.me link, in one tgdl run; then compares
# each SHA-256 tgdl printed and each file's own with the emulator's.
mismatches=0
download() {
  local name=$1 ready=$work/$1-ready.json
  shift
  local links token
  links=$(python3 -c 'import json, sys; print(" ".join(f["link"] for f in json.load(open(sys.argv[1]))["files"]))' "$ready")
  token=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["bot_token"])' "$ready")
  mkdir -p "$work/$name-out"
  echo "== tgdl --dc-config $name-ready.json --bot-token-file TOKEN --json${*:+ $*} $links -o OUT/"
  printf '%s\n' "$token" >"$work/token"
  "$tgdl" --dc-config "$ready" --bot-token-file "$work/token" --json "$@" $links -o "$work/$name-out/" \
    | tee "$work/$name-result.json"
  while read -r file expected dc got path; do
    on_disk=$(sha256sum "$path" | cut -d' ' -f1)
    echo "-- $file (DC $dc)"
    echo "emulator sha256: $expected"
    echo "tgdl     sha256: $got"
    echo "file     sha256: $on_disk"
    if [ "$got" = "$expected" ] && [ "$on_disk" = "$expected" ]; then
      echo "MATCH"
    else
      echo "MISMATCH" >&2
      mismatches=$((mismatches + 1))
    fi
  done < <(python3 -c '
import json, sys
files = json.load(open(sys.argv[1]))["files"]
results = [json.loads(line) for line in open(sys.argv[2]) if line.strip()]
if len(results) != len(files):
    sys.exit(f"demo: {len(results)} results for {len(files)} files")
# Files download side by side: results come in the order they finish, each naming its link.
by_link = {r["link"]: r for r in results}
for f in files:
    r = by_link.get(f["link"])
    if r is None:
        sys.exit(f"demo: no result for {f['link']}")
    print(f["name"], f["sha256"], f["dc"], r["sha256"], r["path"])' "$ready" "$work/$name-result.json")
}

echo "== starting mtproto-testdc (fixtures on DC 1 and DC 2)"
start_emulator plain --file fixture-3mib.bin:3M:1 --file fixture-dc2.bin:1300K:2
download plain

echo "== starting a second mtproto-testdc with a flood storm (FLOOD_WAIT_1 on every 4th upload.getFile)"
start_emulator flood --file storm.bin:4M:1 --flood-every 4 --flood-seconds 1
download flood --part-size 256  # 16 requests: four of them flood
python3 -c '
import json, sys
r = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
print("flood waits slept through:", sum(x["flood_waits"] for x in r))' "$work/flood-result.json"

if [ "$mismatches" -ne 0 ]; then
  echo "MISMATCH: $mismatches file(s)" >&2
  exit 1
fi
echo "ALL MATCH"

#!/usr/bin/env bash
# The README's main command: start mtproto-testdc, download a fixture by its t.me link with
# tgcall get-file, and show that its SHA-256 matches the one the emulator published.
set -euo pipefail
BUILD=${BUILD:-build}
WORK=$(mktemp -d)
trap 'kill "$DC_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$BUILD/testing/mtproto-testdc" --ready-file "$WORK/ready.json" --max-seconds 120 &
DC_PID=$!
for _ in $(seq 100); do [ -f "$WORK/ready.json" ] && break; sleep 0.1; done
[ -f "$WORK/ready.json" ] || { echo "mtproto-testdc did not start" >&2; exit 1; }
read -r LINK EXPECTED TOKEN < <(python3 -c '
import json, sys; r = json.load(open(sys.argv[1])); f = r["files"][0]
print(f["link"], f["sha256"], r["bot_token"])' "$WORK/ready.json")
"$BUILD/examples/tgcall/tgcall" --dc-config "$WORK/ready.json" --bot-token "$TOKEN" --json \
  get-file "$LINK" -o "$WORK/fixture.bin" | tee "$WORK/result.json"
GOT=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["sha256"])' "$WORK/result.json")
echo "emulator sha256: $EXPECTED"
echo "tgcall   sha256: $GOT"
[ "$GOT" = "$EXPECTED" ] && echo "MATCH" || { echo "MISMATCH" >&2; exit 1; }

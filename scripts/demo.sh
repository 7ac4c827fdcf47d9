#!/usr/bin/env bash
# The main job, from a fresh Debian 12 machine: installs what is missing, builds tlgen, and
# compiles the bundled schemas (tl-schema/), printing tlgen's summary for each.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

build=${MTPROTO_DEMO_BUILD_DIR:-build/demo}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DMTPROTO_BUILD_TESTS=OFF \
  -DMTPROTO_BUILD_EXAMPLES=OFF -DMTPROTO_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build "$build" --target tlgen -j "$(nproc)"

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "== tl-schema/mtproto.tl (MTProto service schema)"
"$build/codegen/tlgen" --strict --namespace mtproto::mt --out "$out/mt" tl-schema/mtproto.tl
echo "== tl-schema/api.tl (the Telegram API layer-228 subset the library uses)"
"$build/codegen/tlgen" --strict --namespace mtproto::api --out "$out/api" tl-schema/api.tl

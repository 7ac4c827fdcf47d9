#!/usr/bin/env bash
# Installs the Debian 12 packages mtproto-cpp needs, only if some are missing.
# Runs as root, or through sudo when available.
set -euo pipefail

packages=(build-essential cmake pkg-config libssl-dev zlib1g-dev libasio-dev libfmt-dev catch2 python3)
# Telethon 1.25 (for /usr/bin/python3): an independent client the emulator is proven against.
packages+=(python3-telethon)
# Doxygen: the api_docs test builds the API reference with every warning an error.
packages+=(doxygen)
# CLI11: tgdl's command line. nlohmann/json: the ready file (emulator, examples, tests), --json output.
packages+=(libcli11-dev nlohmann-json3-dev)
# http-parser: tgstream's HTTP/1.1 requests. curl: the HTTP client tgstream's end-to-end test drives.
packages+=(libhttp-parser-dev curl)
# libavformat: the emulator's --media attributes and tgstream's remux. ffmpeg: the tests make their
# media with its CLI and check remuxed output with ffprobe.
packages+=(pkg-config libavformat-dev libavcodec-dev libavutil-dev ffmpeg)
# hiredis: tgstream's state shared between nodes (Redis). redis-server: the tests start their own.
packages+=(libhiredis-dev redis-server)
packages+=("$@")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# A fresh image has empty package lists; refresh only when an install fails for lack of them.
if ! "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"; then
  "${as_root[@]}" apt-get update -q
  "${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

#!/bin/bash
# Builds the app bundle the image ships in /usr/lib/earshot: the product's dist/ from tsc and the
# shipped model (stage-app.sh), and a production-only node_modules installed from the lockfile
# (npm ci --omit=dev --ignore-scripts, so nothing is compiled for the build host) in which only
# the native addons are cross-built for arm64. A bundler was not used: the addons and the lazily loaded commands would stay outside it.
# Usage: build-app.sh OUT_DIR   (run from anywhere; OUT_DIR is replaced)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:?usage: build-app.sh OUT_DIR}
# The product's files only: no simulator (dist/sim), no trainer (dist/models/train).
"$here/stage-app.sh" "$out"
out=$(cd "$out" && pwd)
(cd "$out" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=warn >&2)
"$here/cross-build-addons.sh" "$out/node_modules" pcap i2c-bus epoll >/dev/null
# Keep only the built addons: objects, makefiles and sources are for the build host.
for module in pcap i2c-bus epoll; do
  build="$out/node_modules/$module/build"
  find "$build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
  find "$build/Release" -mindepth 1 ! -name '*.node' -exec rm -rf {} +
done
rm -f "$out/package-lock.json"
echo "build-app: $out: $(du -sh "$out" | cut -f1), $(find "$out/node_modules" -name package.json -path '*/node_modules/*/package.json' | wc -l) package.json files" >&2

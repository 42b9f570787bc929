#!/bin/bash
# Builds the app bundle the image ships in /usr/lib/earshot: dist/ from tsc, the shipped model, and
# a production-only node_modules installed from the lockfile (npm ci --omit=dev --ignore-scripts,
# so nothing is compiled for the build host) in which only the native addons are cross-built for
# arm64. A bundler was not used: the addons and the lazily loaded commands would stay outside it.
# Usage: build-app.sh OUT_DIR   (run from anywhere; OUT_DIR is replaced)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=${1:?usage: build-app.sh OUT_DIR}
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

(cd "$repo" && node_modules/.bin/tsc -p tsconfig.build.json)
mkdir -p "$out/dist" "$out/models"
cp -a "$repo/dist/appliance" "$repo/dist/gpio" "$out/dist/"
cp -a "$repo/models/earshot-forest.json" "$out/models/"
cp -a "$repo/package.json" "$repo/package-lock.json" "$out/"
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

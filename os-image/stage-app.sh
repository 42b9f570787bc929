#!/bin/bash
# Stages the files of the app bundle (build-app.sh adds node_modules): dist/ from tsc, of which
# only the product (dist/appliance, dist/gpio) is shipped: not the simulator (dist/sim) nor the
# trainer (dist/models/train), which stay developer tools (docs/simulator.md). Also the shipped
# model, package.json and the lockfile. test/integration/app-bundle.test.ts runs the CLI from here.
# Usage: stage-app.sh OUT_DIR   (run from anywhere; OUT_DIR is replaced)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
out=${1:?usage: stage-app.sh OUT_DIR}
rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)

(cd "$repo" && node_modules/.bin/tsc -p tsconfig.build.json)
mkdir -p "$out/dist" "$out/models"
cp -a "$repo/dist/appliance" "$repo/dist/gpio" "$out/dist/"
# /usr/bin/earshot links to the entry point: tsc writes it 0644, and a shebang needs the x bit.
chmod 755 "$out/dist/appliance/src/cli/bin.js"
cp -a "$repo/models/earshot-forest.json" "$out/models/"
cp -a "$repo/package.json" "$repo/package-lock.json" "$out/"

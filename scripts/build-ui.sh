#!/usr/bin/env bash
# Builds the browser control panel (ui/, Preact + Vite) into static files and copies them to
# OUTDIR (default build/share/ui: the dev daemon build/bin/postern serves <bin>/../share/ui).
# Installs the exact locked packages (npm ci) when ui/node_modules is missing or older than
# ui/package-lock.json. Without node/npm it says so and leaves the daemon's placeholder page.
#   scripts/build-ui.sh [OUTDIR]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-build/share/ui}
if ! command -v npm >/dev/null || ! command -v node >/dev/null; then
  echo "build-ui: node/npm not found, control panel not built (scripts/deps.sh build installs them)" >&2
  exit 0
fi
cd ui
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi
npm run --silent build -- --logLevel warn
cd ..
rm -rf "$out"
mkdir -p "$out"
cp -r ui/dist/. "$out/"
echo "build-ui: control panel in $out"

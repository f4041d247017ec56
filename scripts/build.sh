#!/usr/bin/env bash
# Configures and builds into build/ (incremental when build/ exists), then the browser
# control panel into build/share/ui.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" >/dev/null
cmake --build build -j"$(nproc)"
# The control panel the daemon serves from build/share/ui.
scripts/build-ui.sh build/share/ui

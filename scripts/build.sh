#!/usr/bin/env bash
# Configures and builds into BUILD_DIR (default build/, incremental when it exists), then the
# browser control panel into BUILD_DIR/share/ui. Extra arguments go to cmake's configure
# step (the test command builds build-asan/ with -DPOSTERN_SANITIZE=ON).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${BUILD_DIR:-build}
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE="${BUILD_TYPE:-RelWithDebInfo}" "$@" >/dev/null
cmake --build "$dir" -j"$(nproc)"
# The control panel the daemon serves from <dir>/share/ui.
scripts/build-ui.sh "$dir/share/ui"

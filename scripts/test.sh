#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite: unit tests (ctest),
# end-to-end tests against the real daemon (pytest), browser tests of the control panel,
# then the package builds and their tests. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
scripts/build.sh

echo "== unit tests"
(cd build && ctest -j"$(nproc)" --output-on-failure)

echo "== end-to-end tests"
/usr/bin/python3 -m pytest -q -n "$(nproc)" -p no:cacheprovider tests/e2e

echo "== browser tests (control panel in headless chromium)"
# Its own pytest run, like tests/package: tests/ui loads the e2e harness under its own name.
/usr/bin/python3 -m pytest -q -n "$(nproc)" -p no:cacheprovider tests/ui

echo "== sanitizers: unit and end-to-end tests again on an ASan + UBSan build"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOSTERN_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$(nproc)"
# UBSan stops at its first report so a test fails on it; the e2e harness kills daemons
# with SIGKILL, so leak checking is left to the unit tests.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest -j"$(nproc)" --output-on-failure)
ASAN_OPTIONS=detect_leaks=0 POSTERN_BIN="$PWD/build-asan/bin/postern" \
  /usr/bin/python3 -m pytest -q -n "$(nproc)" -p no:cacheprovider tests/e2e

echo "== fuzzing: each parser target for a short run (tests/fuzz/run.sh runs them longer)"
tests/fuzz/run.sh "${POSTERN_FUZZ_SECONDS:-20}"

echo "== Synology packages"
# Sysroots and the compiler cache live outside the clone, so a fresh checkout on the same
# machine reuses them; each is remade automatically when stale.
export POSTERN_CACHE_DIR="${POSTERN_CACHE_DIR:-/var/cache/postern-build}"
package/build-spks.sh build/spk

echo "== package tests"
# Its own pytest run: tests/e2e imports its conftest by name.
POSTERN_SPK_DIR=build/spk /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/package

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

echo "== Synology packages"
# Sysroots and the compiler cache live outside the clone, so a fresh checkout on the same
# machine reuses them; each is remade automatically when stale.
export POSTERN_CACHE_DIR="${POSTERN_CACHE_DIR:-/var/cache/postern-build}"
package/build-spks.sh build/spk

echo "== package tests"
# Its own pytest run: tests/e2e imports its conftest by name.
POSTERN_SPK_DIR=build/spk /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/package

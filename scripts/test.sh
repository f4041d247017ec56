#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test suite: unit tests (ctest),
# end-to-end tests against the real daemon (pytest), then the package builds and their
# tests. Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh test
scripts/build.sh

echo "== unit tests"
(cd build && ctest -j"$(nproc)" --output-on-failure)

echo "== end-to-end tests"
/usr/bin/python3 -m pytest -q -n "$(nproc)" -p no:cacheprovider tests/e2e

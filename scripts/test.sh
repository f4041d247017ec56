#!/usr/bin/env bash
# Installs what is missing, builds (with ASan + UBSan), and runs every test suite: unit
# tests (ctest), end-to-end tests against the real daemon (pytest), browser tests of the
# control panel, a short run of each fuzz target, then the package builds and their tests.
# Exits non-zero if anything fails.
set -euo pipefail
cd "$(dirname "$0")/.."
# Each stage's header shows the minutes spent so far, so a slow stage shows in the CI log.
stage() { printf '== [%dm%02ds] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }
scripts/deps.sh test
# Every suite runs on one AddressSanitizer + UBSan build (build-asan/): one native build
# instead of two, and each memory or undefined-behaviour error fails the test that hit it.
# UBSan stops at its first report; the e2e harness kills daemons with SIGKILL, so leak
# checking is left to the unit tests. A unity build (several .cpp files per compiler run)
# parses the big headers (Poco, nlohmann/json) once per batch: a quarter less build time.
stage "build (ASan + UBSan)"
BUILD_DIR=build-asan scripts/build.sh -DPOSTERN_SANITIZE=ON -DCMAKE_UNITY_BUILD=ON
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export POSTERN_BIN="$PWD/build-asan/bin/postern"

stage "unit tests (ASan + UBSan, LeakSanitizer)"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 ctest -j"$(nproc)" --output-on-failure)

stage "end-to-end tests (ASan + UBSan)"
ASAN_OPTIONS=detect_leaks=0 /usr/bin/python3 -m pytest -q -n "$(nproc)" -p no:cacheprovider tests/e2e

stage "browser tests (control panel in headless chromium)"
# Its own pytest run, like tests/package: tests/ui loads the e2e harness under its own name.
ASAN_OPTIONS=detect_leaks=0 /usr/bin/python3 -m pytest -q -n "$(nproc)" -p no:cacheprovider tests/ui
unset POSTERN_BIN

stage "fuzzing: each parser target for a short run (tests/fuzz/run.sh runs them longer)"
tests/fuzz/run.sh "${POSTERN_FUZZ_SECONDS:-10}"

stage "Synology packages"
# Sysroots and the compiler cache live outside the clone, so a fresh checkout on the same
# machine reuses them; each is remade automatically when stale.
export POSTERN_CACHE_DIR="${POSTERN_CACHE_DIR:-/var/cache/postern-build}"
package/build-spks.sh build/spk

stage "package tests"
# Its own pytest run: tests/e2e imports its conftest by name.
POSTERN_SPK_DIR=build/spk /usr/bin/python3 -m pytest -q -p no:cacheprovider tests/package
stage "all suites passed"

#!/usr/bin/env bash
# Builds Postern and runs it in the foreground on its embedded defaults: data in ./data,
# unprivileged ports (SMTP 2525, submission 2587, submissions 2465), a generated
# certificate, and on first start a printed admin password. Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh build
scripts/build.sh
exec build/bin/postern serve --data-dir "$PWD/data"

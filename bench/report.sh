#!/usr/bin/env bash
# Runs every benchmark of bench/ in one go, on this machine, and writes the results with
# the machine they ran on to docs/benchmarks.md (or the file given by -o):
#   SMTP ingest beside Postfix (run.sh), relay beside Postfix (relay.sh), IMAP beside
#   Dovecot and 1,000 idle IMAP sessions (imap.sh, when present), and the memory figures
#   each of them prints (idle, under load).
# Each benchmark keeps its own exit status: a broken run is reported as such in the file
# and makes this script exit non-zero; a missed performance target does not.
# POSTERN_BIN=PATH makes every benchmark use that binary instead of building its own
# Release tree (the report names the binary and its build type). --note TEXT adds a line
# to the machine section (e.g. what else ran on the machine).
# Usage: bench/report.sh [--quick] [-r ROUNDS] [-o FILE] [--note TEXT]
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OUT="$ROOT/docs/benchmarks.md"
ARGS=()
NOTE=""
while (($#)); do
  case "$1" in
    --quick) ARGS+=(--quick) ;;
    -r) ARGS+=(-r "$2"); shift ;;
    -o) OUT="$2"; shift ;;
    --note) NOTE="$2"; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) echo "report.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
  shift
done

load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
# The commit the run starts from (the binary under test is built from it), marked when the
# tree has uncommitted changes.
commit="$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
git -C "$ROOT" diff --quiet HEAD 2>/dev/null || commit="$commit + uncommitted changes"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
status=0
benches=(run.sh relay.sh)
[ -x "$HERE/imap.sh" ] && benches+=(imap.sh)
for b in "${benches[@]}"; do
  echo "== bench/$b ${ARGS[*]}" >&2
  if "$HERE/$b" "${ARGS[@]}" >"$WORK/$b.out" 2>"$WORK/$b.err"; then
    echo ok >"$WORK/$b.status"
  else
    echo "BROKEN (exit $?)" >"$WORK/$b.status"
    status=1
  fi
  tail -5 "$WORK/$b.out" >&2
done

load_end="$(cut -d' ' -f1-3 /proc/loadavg)"
if [ -n "${POSTERN_BIN:-}" ]; then
  cache="$(dirname "$(dirname "$POSTERN_BIN")")/CMakeCache.txt"
  build_type="$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$cache" 2>/dev/null)"
  binary="\`$POSTERN_BIN\` (${build_type:-build type unknown})"
else
  binary="each benchmark's own Release build (\`build-release/\`)"
fi
version_of() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo "not installed"; }
cpu="$(awk -F: '/model name/ { sub(/^ +/, "", $2); print $2; exit }' /proc/cpuinfo)"
mem="$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
os="$(. /etc/os-release && echo "$PRETTY_NAME")"
{
  echo "# Benchmarks"
  echo
  echo "Written by \`bench/report.sh${ARGS[*]:+ ${ARGS[*]}}\` (started $started, ended $(date -u '+%H:%M UTC')), Postern commit \`$commit\`."
  echo "Every figure below comes from that one run, on this machine; ratios are Postern / the"
  echo "reference server under the same load from the same client in the same run."
  echo
  echo "## Machine"
  echo "- CPU: $cpu, $(nproc) cores available"
  echo "- memory: $mem; kernel $(uname -r); $os"
  echo "- Postfix $(version_of postfix), Dovecot $(version_of dovecot-imapd)"
  echo "- Postern binary: $binary"
  echo "- load average (1, 5, 15 min) when the report started: $load_start; when it ended: $load_end"
  [ -z "$NOTE" ] || echo "- $NOTE"
  echo
  echo "## Summary"
  for b in "${benches[@]}"; do
    echo "- \`bench/$b\`: $(cat "$WORK/$b.status")"
    grep -E '^ratio|^  Postern idle|^  Postfix idle|^  Dovecot idle|^  [0-9,]+ idle IMAP|target' "$WORK/$b.out" |
      sed 's/^ */  - /'
  done
  for b in "${benches[@]}"; do
    echo
    echo "## bench/$b"
    echo '```'
    cat "$WORK/$b.out"
    echo '```'
    if [ -s "$WORK/$b.err" ] && ! grep -qx ok "$WORK/$b.status"; then
      echo "Errors:"
      echo '```'
      tail -30 "$WORK/$b.err"
      echo '```'
    fi
  done
} >"$OUT"
echo "wrote $OUT" >&2
exit $status

#!/usr/bin/env bash
# Postern IMAP benchmark: memory of 1,000 concurrent IDLE sessions, and command throughput
# beside a private Dovecot (Debian's package) under the same client load.
#
#   1. idle:  SESSIONS connections (USERS users, round robin) log in, SELECT INBOX and IDLE;
#             Postern's RSS is sampled with all of them idling. Target: at most 64 MB.
#   2. load:  both servers get MESSAGES messages of SIZE bytes appended to one user's INBOX
#             (by IMAP APPEND, the same for both), then CLIENTS sessions run a sync-like
#             command mix for SECONDS (bench/imap_load.py). Prints commands/s of both and
#             the Postern/Dovecot ratio. Target: at least 1x.
#
# Plain IMAP on 127.0.0.1 high ports only. Exits non-zero when something is broken (a
# command not answered OK, a daemon that does not start); missing a target is reported.
#
# Usage: bench/imap.sh [--quick] [-s SESSIONS] [-c CLIENTS] [-t SECONDS] [-m MESSAGES]
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
SESSIONS="${BENCH_SESSIONS:-1000}"
USERS="${BENCH_USERS:-20}"
CLIENTS="${BENCH_CLIENTS:-8}"
SECONDS_LOAD="${BENCH_SECONDS:-20}"
MESSAGES="${BENCH_MESSAGES:-500}"
SIZE="${BENCH_SIZE:-4096}"
BUILD_DIR="${POSTERN_BUILD_DIR:-$ROOT/build-release}"
POSTERN_BIN="${POSTERN_BIN:-}"
LOOPBACK="127.0.0.1"
PY=/usr/bin/python3

while [ $# -gt 0 ]; do
  case "$1" in
    --quick) SESSIONS=200; USERS=5; SECONDS_LOAD=5; MESSAGES=100; shift ;;
    -s) SESSIONS="$2"; shift 2 ;;
    -c) CLIENTS="$2"; shift 2 ;;
    -t) SECONDS_LOAD="$2"; shift 2 ;;
    -m) MESSAGES="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "imap.sh: unknown argument: $1" >&2; exit 2 ;;
  esac
done

. "$HERE/lib.sh"   # log, die, free_port, rss_kb, tree_mem, mb, fdiv, have_pkg

[ "$(id -u)" = 0 ] || die "run as root (apt-get, and Dovecot's mail processes switch users)"
need=()
for p in dovecot-imapd procps; do have_pkg "$p" || need+=("$p"); done
if [ "${#need[@]}" -gt 0 ]; then
  log "installing: ${need[*]}"
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

TMP="$(mktemp -d /tmp/postern-imap-bench.XXXXXX)"
POSTERN_PID=""
DOVECOT_CONF=""
IDLER=""
cleanup() {
  set +e
  [ -z "$IDLER" ] || kill "$IDLER" 2>/dev/null
  if [ -n "$POSTERN_PID" ]; then kill -TERM "$POSTERN_PID" 2>/dev/null; wait "$POSTERN_PID" 2>/dev/null; fi
  if [ -n "$DOVECOT_CONF" ]; then doveadm -c "$DOVECOT_CONF" stop >/dev/null 2>&1; fi
  [ -n "${BENCH_KEEP:-}" ] || rm -rf "$TMP"
}
trap cleanup EXIT

# ------------------------------------------------------------ Postern
if [ -z "$POSTERN_BIN" ]; then
  "$ROOT/scripts/deps.sh" build >&2
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$BUILD_DIR" -j2 --target postern >/dev/null
  POSTERN_BIN="$BUILD_DIR/bin/postern"
fi
DATA="$TMP/postern"
P_IMAP="$(free_port)"
words=()
for s in smtp submission submissions imaps admin; do words+=("$s.listen" "$LOOPBACK:$(free_port)"); done
"$POSTERN_BIN" config --data-dir "$DATA" set "${words[@]}" imap.listen "$LOOPBACK:$P_IMAP" \
  imap.auth_plaintext_lan true imap.max_connections 5000 dns.nameservers 127.0.0.1:9 >/dev/null
"$POSTERN_BIN" domain --data-dir "$DATA" add example.test >/dev/null
: >"$TMP/users"
for i in $(seq 1 "$USERS"); do
  printf 'bench-pass-%s\n' "$i" | "$POSTERN_BIN" user --data-dir "$DATA" add "bench$i@example.test" --password-stdin >/dev/null
  echo "bench$i@example.test bench-pass-$i" >>"$TMP/users"
done
"$POSTERN_BIN" serve --data-dir "$DATA" >"$TMP/postern.out" 2>&1 &
POSTERN_PID=$!
for _ in $(seq 1 100); do grep -q "postern started" "$DATA/log/postern.log" 2>/dev/null && break; sleep 0.1; done
grep -q "postern started" "$DATA/log/postern.log" || die "postern did not start: $(tail -5 "$TMP/postern.out")"

# ------------------------------------------------------------ 1. IDLE sessions
idle_rss_before="$(rss_kb "$POSTERN_PID")"
log "opening $SESSIONS IDLE sessions ($USERS users)"
mkfifo "$TMP/idle.in"
"$PY" "$HERE/imap_load.py" idle "$P_IMAP" "$TMP/users" "$SESSIONS" <"$TMP/idle.in" >"$TMP/idle.out" &
IDLER=$!
exec 7>"$TMP/idle.in"
for _ in $(seq 1 1200); do grep -q idling "$TMP/idle.out" && break; kill -0 "$IDLER" 2>/dev/null || break; sleep 0.1; done
grep -q "idling $SESSIONS" "$TMP/idle.out" || die "the IDLE sessions did not all open: $(cat "$TMP/idle.out")"
sleep 2
idle_rss="$(rss_kb "$POSTERN_PID")"
idle_threads="$(awk '/^Threads:/ { print $2 }' "/proc/$POSTERN_PID/status")"
exec 7>&-
wait "$IDLER" || true
IDLER=""

# ------------------------------------------------------------ Dovecot
DV="$TMP/dovecot"
mkdir -p "$DV/run" "$DV/state" "$DV/home"
chmod 755 "$TMP" "$DV"  # its auth and mail processes run as other users
chown dovecot "$DV/run" 2>/dev/null || true
D_IMAP="$(free_port)"
echo "bench1@example.test:{PLAIN}bench-pass-1" >"$DV/passwd"
chown -R nobody:nogroup "$DV/home"
DOVECOT_CONF="$DV/dovecot.conf"
# Dovecot fails silently without its own log and data paths: set every one of them.
cat >"$DOVECOT_CONF" <<CONF
base_dir = $DV/run
state_dir = $DV/state
log_path = $DV/dovecot.log
info_log_path = $DV/dovecot.log
protocols = imap
listen = $LOOPBACK
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_location = maildir:~/Maildir
first_valid_uid = 1
passdb {
  driver = passwd-file
  args = $DV/passwd
}
userdb {
  driver = static
  args = uid=nobody gid=nogroup home=$DV/home/%u
}
service imap-login {
  inet_listener imap {
    address = $LOOPBACK
    port = $D_IMAP
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service imap-login {
  chroot =
}
CONF
dovecot -c "$DOVECOT_CONF" || die "dovecot did not start: $(tail -5 "$DV/dovecot.log" 2>/dev/null)"
for _ in $(seq 1 100); do port_listening "$D_IMAP" && break; sleep 0.1; done
port_listening "$D_IMAP" || die "dovecot does not listen: $(tail -5 "$DV/dovecot.log")"

# ------------------------------------------------------------ 2. throughput
log "seeding $MESSAGES messages of $SIZE bytes into both"
"$PY" "$HERE/imap_load.py" seed "$D_IMAP" bench1@example.test bench-pass-1 "$MESSAGES" "$SIZE" || die "seeding Dovecot failed"
"$PY" "$HERE/imap_load.py" seed "$P_IMAP" bench1@example.test bench-pass-1 "$MESSAGES" "$SIZE" || die "seeding Postern failed"
run_load() {
  "$PY" "$HERE/imap_load.py" load "$1" bench1@example.test bench-pass-1 "$CLIENTS" "$SECONDS_LOAD" | awk '{ print $2, $4 }'
}
log "load: $CLIENTS clients for $SECONDS_LOAD s, Dovecot then Postern"
read -r d_ops d_s < <(run_load "$D_IMAP") || die "Dovecot load failed"
read -r p_ops p_s < <(run_load "$P_IMAP") || die "Postern load failed"
d_rate="$(fdiv "$d_ops" "$d_s")"
p_rate="$(fdiv "$p_ops" "$p_s")"
ratio="$(awk -v a="$p_rate" -v b="$d_rate" 'BEGIN { printf "%.2f", a / b }')"
p_rss="$(rss_kb "$POSTERN_PID")"

cat <<REPORT

IMAP benchmark ($(nproc) CPUs, $(date -u +%Y-%m-%dT%H:%MZ))
  IDLE sessions:  $SESSIONS over $USERS users; Postern RSS $(mb "$idle_rss") MB with all idling (before: $(mb "$idle_rss_before") MB), $idle_threads threads  [target <= 64 MB]
  throughput:     $CLIENTS clients, $SECONDS_LOAD s, $MESSAGES messages of $SIZE bytes
    Dovecot $(dovecot --version | cut -d' ' -f1): $d_rate commands/s
    Postern:       $p_rate commands/s (RSS after: $(mb "$p_rss") MB)
    ratio Postern/Dovecot: ${ratio}x  [target >= 1x]
REPORT

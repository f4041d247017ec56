#!/usr/bin/env bash
# Postern SMTP ingest benchmark: Postern beside a private Postfix instance.
#
# Both servers get the same load from Postfix's smtp-source (SESSIONS concurrent
# SMTP sessions, N messages of SIZE bytes each, to one local Maildir user) on
# loopback high ports. Prints msgs/s (ingest and delivered-to-Maildir) of both,
# the Postern/Postfix ratio, and the RSS of both daemons.
#
# Exits non-zero when something is broken (build/start failure, smtp-source
# errors, messages lost/duplicated/corrupted, daemon died). Missing a
# performance target is reported but is not a failure.
#
# Usage: bench/run.sh [--quick] [-n N] [-s SESSIONS] [-l SIZE]
#                     [-r ROUNDS] [--only postfix|postern] [--keep] [--trace]
# See bench/README.md.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

# ---------------------------------------------------------------- settings
N="${BENCH_N:-20000}"           # messages per server
SESSIONS="${BENCH_SESSIONS:-10}"
SIZE="${BENCH_SIZE:-4096}"      # payload bytes per message (smtp-source -l)
ONLY=""                         # "", postfix, postern
KEEP=0                          # keep the temp dir (logs, maildirs)
TRACE=0                         # print Maildir count once a second during each load
LOAD_TIMEOUT="${BENCH_LOAD_TIMEOUT:-600}"        # s, bound for one smtp-source run
DELIVERY_TIMEOUT="${BENCH_DELIVERY_TIMEOUT:-300}" # s after ingest ended, bound for delivery
STALL_TIMEOUT="${BENCH_STALL_TIMEOUT:-60}"        # s without delivery progress -> give up
START_TIMEOUT="${BENCH_START_TIMEOUT:-30}"        # s, bound for a daemon to answer 220
IDLE_SETTLE="${BENCH_IDLE_SETTLE:-3}"             # s of idling before an RSS sample
SAMPLE="${BENCH_SAMPLE:-50}"                      # delivered messages whose body is verified
POLL="${BENCH_POLL:-0.5}"                         # s between Maildir counts while waiting for delivery
# A Release build of its own: build/ is the RelWithDebInfo tree of scripts/build.sh.
BUILD_DIR="${POSTERN_BUILD_DIR:-$ROOT/build-release}"
POSTERN_BIN="${POSTERN_BIN:-}"  # set to skip the cmake build and use this binary
DOMAIN="example.test"
ROUNDS="${BENCH_ROUNDS:-1}"     # alternating rounds (postfix, postern, postfix, ...); best of them counts
SENDER="sender@$DOMAIN"
LOOPBACK="127.0.0.1"            # the only address this script ever uses

SCRIPT=run.sh
usage() { sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; }
extra_option() { case "$1" in --trace) TRACE=1 ;; *) return 1 ;; esac; }

. "$HERE/lib.sh"   # parse_bench_args, log, die, free_port, wait_smtp, tree_cpu, tree_mem, ...
parse_bench_args "$@"
[ "$QUICK" = 0 ] || IDLE_SETTLE=1

# ------------------------------------------------------------ dependencies
[ "$(id -u)" = 0 ] || die "run as root (apt-get, and a private Postfix instance needs it)"
need_pkgs=()
for p in postfix procps iproute2 coreutils; do have_pkg "$p" || need_pkgs+=("$p"); done
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  log "installing: ${need_pkgs[*]}"
  # Postfix must not configure (and start) a system instance: no main.cf is written.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
if run_postern && [ -z "$POSTERN_BIN" ]; then
  # Postern's build dependencies: the project's own list.
  if [ -x "$ROOT/scripts/deps.sh" ]; then
    "$ROOT/scripts/deps.sh" build >&2
  else
    need_pkgs=()
    for p in build-essential cmake pkg-config libpoco-dev libssl-dev libsqlite3-dev libsodium-dev; do
      have_pkg "$p" || need_pkgs+=("$p")
    done
    if [ "${#need_pkgs[@]}" -gt 0 ]; then
      log "installing: ${need_pkgs[*]}"
      apt-get update -q >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" >/dev/null
    fi
  fi
fi
export PATH="$PATH:/usr/sbin:/usr/lib/postfix/sbin"
command -v smtp-source >/dev/null || die "smtp-source not found (package postfix)"

# ------------------------------------------------------------ state/cleanup
TMP=""
POSTFIX_CONF=""
POSTERN_PID=""
TRACER=""
LOADER=""
FAILED=0


cleanup() {
  local rc=$?
  set +e
  [ -z "$TRACER" ] || kill "$TRACER" 2>/dev/null
  [ -z "$LOADER" ] || { kill "$LOADER" 2>/dev/null; wait "$LOADER" 2>/dev/null; }
  if [ -n "$POSTERN_PID" ] && kill -0 "$POSTERN_PID" 2>/dev/null; then
    kill -TERM "$POSTERN_PID" 2>/dev/null
    for _ in $(seq 1 100); do kill -0 "$POSTERN_PID" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$POSTERN_PID" 2>/dev/null; then
      log "BROKEN: postern did not stop on SIGTERM within 10 s; sending SIGKILL"
      kill -KILL "$POSTERN_PID" 2>/dev/null
      [ "$rc" -ne 0 ] || rc=1
    fi
    wait "$POSTERN_PID" 2>/dev/null
    local st=$?
    [ "$st" -eq 0 ] || log "postern serve exited with status $st after SIGTERM"
  elif [ -n "$POSTERN_PID" ]; then
    wait "$POSTERN_PID" 2>/dev/null
    log "postern serve had already exited (status $?)"
  fi
  if [ -n "$POSTFIX_CONF" ] && [ -f "$POSTFIX_CONF/main.cf" ]; then
    local mp
    mp="$(postfix_master_pid)"
    if [ -n "$mp" ]; then
      postfix -c "$POSTFIX_CONF" stop >/dev/null 2>&1
      for _ in $(seq 1 100); do kill -0 "$mp" 2>/dev/null || break; sleep 0.1; done
      if kill -0 "$mp" 2>/dev/null; then
        postfix -c "$POSTFIX_CONF" abort >/dev/null 2>&1
        sleep 1
        kill -KILL "$mp" 2>/dev/null
      fi
    fi
  fi
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then
    if [ "$rc" -ne 0 ] || [ "$FAILED" -ne 0 ]; then
      for f in "$TMP/postfix/log/maillog" "$TMP/postern.log" "$TMP/postern/log/postern.log" \
               "$TMP/postern/log/delivery.log"; do
        [ -s "$f" ] || continue
        log "last lines of $f:"
        tail -n 25 "$f" >&2
      done
    fi
    if [ "$KEEP" = 1 ]; then
      log "kept $TMP"
    else
      rm -rf "$TMP"
    fi
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

TMP="$(mktemp -d /tmp/postern-bench.XXXXXX)"
# Postfix's delivery agent runs as nobody and its daemons as postfix: they must
# be able to traverse the temp dir.
chmod 755 "$TMP"

# ------------------------------------------------------------ verification
# Files in a Maildir new/ (ls -f: no sort, no stat; cheaper than find on 20k entries).
count_new() { if [ -d "$1" ]; then echo $(( $(ls -f "$1" | wc -l) - 2 )); else echo 0; fi; }
# Body of a message file (after the first empty line), CRs stripped.
body_of() { tr -d '\r' < "$1" | awk 'b { print; next } /^$/ { b = 1 }'; }
# Its size on the wire, with CRLF line ends (what smtp-source -l counts).
wire_len() { awk '{ n += length($0) + 2 } END { print n + 0 }'; }
REF_BODY_SUM=""
REF_BODY_LEN=""
# Checks that delivered messages are complete: every file has at least SIZE
# bytes, and a sample of bodies is byte-identical to the reference body (the
# first one seen; smtp-source sends the same body every time).
verify_maildir() {
  local name="$1" dir="$2" small files f sum len bad=0
  small="$(find "$dir" -maxdepth 1 -type f -size "-${SIZE}c" | wc -l)"
  if [ "$small" -ne 0 ]; then
    log "$name: $small delivered files are smaller than the $SIZE-byte payload"
    bad=1
  fi
  while IFS= read -r f; do
    sum="$(body_of "$f" | md5sum | cut -d' ' -f1)"
    len="$(body_of "$f" | wire_len)"
    if [ -z "$REF_BODY_SUM" ]; then
      REF_BODY_SUM="$sum"; REF_BODY_LEN="$len"
      if [ "$len" -lt "$SIZE" ]; then
        log "$name: message body is $len bytes, expected >= $SIZE: $f"; bad=1
      fi
    elif [ "$sum" != "$REF_BODY_SUM" ]; then
      log "$name: body of $f ($len bytes) differs from the reference body ($REF_BODY_LEN bytes)"
      bad=1
    fi
  done < <(find "$dir" -maxdepth 1 -type f | shuf -n "$SAMPLE")
  return "$bad"
}

# ------------------------------------------------------------ load driver
# run_load NAME PORT MAILDIR_NEW PID_TO_WATCH RCPT -> sets R_INGEST_S, R_DELIV_S, R_OK, ...
run_load() {
  local name="$1" port="$2" dir="$3" pid="$4" rcpt="$5" t0 t1 t2 rc=0 cnt=0 deadline errf
  errf="$TMP/smtp-source.$name.err"
  R_OK=1; R_INGEST_S=""; R_DELIV_S=""; R_AT_INGEST=""; R_CPU=""; R_LOAD=""
  local c0 c1
  R_LOAD="$(cut -d' ' -f1 /proc/loadavg)"
  cnt="$(count_new "$dir")"
  [ "$cnt" -eq 0 ] || { log "$name: maildir not empty before the load ($cnt files)"; R_OK=0; return; }
  log "$name: smtp-source -s $SESSIONS -m $N -l $SIZE -t $rcpt -> $LOOPBACK:$port"
  c0="$(tree_cpu "$pid")"
  t0="$(now)"
  TRACER=""
  if [ "$TRACE" = 1 ]; then
    ( while :; do echo "$(fsub "$(now)" "$t0") $(count_new "$dir")"; sleep 1; done ) >"$TMP/trace.$name" 2>/dev/null &
    TRACER=$!
  fi
  # In the background + wait, so that a signal to this script is handled at once.
  timeout "$LOAD_TIMEOUT" smtp-source -s "$SESSIONS" -m "$N" -l "$SIZE" \
    -f "$SENDER" -t "$rcpt" "$LOOPBACK:$port" >"$errf" 2>&1 &
  LOADER=$!
  wait "$LOADER" || rc=$?
  LOADER=""
  t1="$(now)"
  R_INGEST_S="$(fsub "$t1" "$t0")"
  R_AT_INGEST="$(count_new "$dir")"
  if [ "$rc" -ne 0 ]; then
    R_OK=0
    if [ "$rc" -eq 124 ]; then
      log "$name: smtp-source did not finish within ${LOAD_TIMEOUT}s"
    else
      log "$name: smtp-source exited with status $rc after ${R_INGEST_S}s:"
    fi
    sed 's/^/    /' "$errf" | tail -n 20 >&2
  fi
  # Wait until all N messages are in the Maildir (bounded: DELIVERY_TIMEOUT in
  # all, STALL_TIMEOUT without progress, 10 s after a failed load).
  local last=-1 last_t stall
  deadline=$(( $(date +%s) + DELIVERY_TIMEOUT ))
  stall="$STALL_TIMEOUT"; [ "$rc" -eq 0 ] || stall=10
  last_t="$(date +%s)"
  while :; do
    cnt="$(count_new "$dir")"
    [ "$cnt" -ge "$N" ] && break
    [ "$(date +%s)" -ge "$deadline" ] && break
    if [ "$cnt" -ne "$last" ]; then last="$cnt"; last_t="$(date +%s)"; fi
    if [ $(( $(date +%s) - last_t )) -ge "$stall" ]; then
      log "$name: no delivery progress for ${stall}s ($cnt/$N), giving up"
      break
    fi
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then break; fi
    sleep "$POLL"
  done
  t2="$(now)"
  c1="$(tree_cpu "$pid")"
  if [ -n "$TRACER" ]; then
    kill "$TRACER" 2>/dev/null; wait "$TRACER" 2>/dev/null || true; TRACER=""
    log "$name: Maildir count over time (s since start: count, +delta; ingest ended at ${R_INGEST_S}s)"
    awk '{ printf "  %6.1fs %6d %+6d\n", $1, $2, $2 - p; p = $2 }' "$TMP/trace.$name" >&2
  fi
  R_DELIV_S="$(fsub "$t2" "$t0")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    R_CPU="$(awk -v a="$c0" -v b="$c1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz }')"
  else
    R_CPU="-"   # the daemon is gone: its CPU time went with it
  fi
  if [ "$cnt" -lt "$N" ]; then
    log "$name: only $cnt of $N messages delivered to $dir"
    R_OK=0; R_DELIV_S="-"
  fi
  sleep 1   # anything arriving late (duplicates)?
  cnt="$(count_new "$dir")"
  if [ "$cnt" -gt "$N" ]; then
    log "$name: $cnt messages in the Maildir, expected $N (duplicates?)"
    R_OK=0
  fi
  if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then
    log "$name: daemon (pid $pid) is gone after the load"
    R_OK=0
  fi
  if [ "$cnt" -gt 0 ] && ! verify_maildir "$name" "$dir"; then R_OK=0; fi
  log "$name: ingest ${R_INGEST_S}s ($R_AT_INGEST in Maildir then), all delivered ${R_DELIV_S}s, $cnt/$N in Maildir, server CPU ${R_CPU}s, loadavg before ${R_LOAD}"
}

# ------------------------------------------------------------ Postern build
if run_postern; then
  if [ -z "$POSTERN_BIN" ]; then
    log "building Postern (Release) in $BUILD_DIR"
    if ! { cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release &&
           cmake --build "$BUILD_DIR" -j2 --target postern; } >"$TMP/build.log" 2>&1; then
      tail -n 40 "$TMP/build.log" >&2
      die "Postern build failed (above: the tail of the cmake output)"
    fi
    POSTERN_BIN="$BUILD_DIR/bin/postern"
  fi
  [ -x "$POSTERN_BIN" ] || die "no Postern binary at $POSTERN_BIN"
fi

# ------------------------------------------------------------ Postfix start
PF_PORT=""; PF_MASTER=""
rcpt_of() { echo "bench$1@$DOMAIN"; }   # round r delivers to its own user/Maildir
if run_postfix; then
  if [ -f /etc/postfix/main.cf ] || [ -f /var/spool/postfix/pid/master.pid ]; then
    log "note: a system Postfix configuration/instance exists; it is left alone (private instance uses its own dirs and ports)"
  fi
  PF="$TMP/postfix"
  POSTFIX_CONF="$PF/etc"
  mkdir -p "$POSTFIX_CONF" "$PF/queue" "$PF/data" "$PF/log" "$PF/mail"
  chown postfix:postfix "$PF/data"
  chown 65534:65534 "$PF/mail"     # virtual(8) delivers as nobody:nogroup
  PF_PORT="$(free_port)"
  # Stock settings except what a private, loopback-only instance needs.
  cat >"$POSTFIX_CONF/main.cf" <<EOF
compatibility_level = 3.6
config_directory = $POSTFIX_CONF
queue_directory = $PF/queue
data_directory = $PF/data
meta_directory = /etc/postfix
maillog_file = $PF/log/maillog
maillog_file_prefixes = $PF/log
syslog_name = postfix-bench
myhostname = bench.localdomain
mydomain = localdomain
myorigin = \$myhostname
mydestination =
inet_interfaces = $LOOPBACK
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
relay_domains =
default_transport = error:no outbound mail from the bench instance
biff = no
append_dot_mydomain = no
smtputf8_enable = no
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = $DOMAIN
virtual_mailbox_base = $PF/mail
virtual_mailbox_maps = texthash:$POSTFIX_CONF/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
EOF
  # Trailing slash = Maildir.
  for r in $(seq 1 "$ROUNDS"); do echo "$(rcpt_of "$r") $DOMAIN/bench$r/"; done >"$POSTFIX_CONF/vmailbox"
  write_postfix_master_cf
  log "starting private Postfix on $LOOPBACK:$PF_PORT ($POSTFIX_CONF)"
  start_private_postfix
fi

# ------------------------------------------------------------ Postern start
PT_PORT=""
if run_postern; then
  PT_DATA="$TMP/postern"
  mkdir -p "$PT_DATA"
  pt() { "$POSTERN_BIN" "$@" >>"$TMP/postern-cli.log" 2>&1 || { cat "$TMP/postern-cli.log" >&2; die "postern $* failed"; }; }
  pt domain --data-dir "$PT_DATA" add "$DOMAIN"
  for r in $(seq 1 "$ROUNDS"); do
    printf 'bench-password' | "$POSTERN_BIN" user --data-dir "$PT_DATA" add "$(rcpt_of "$r")" --password-stdin \
      >>"$TMP/postern-cli.log" 2>&1 || { cat "$TMP/postern-cli.log" >&2; die "postern user add failed"; }
  done
  PT_PORT="$(free_port)"
  pt config --data-dir "$PT_DATA" set smtp.listen "$LOOPBACK:$PT_PORT"
  for k in submission submissions imap imaps admin; do
    pt config --data-dir "$PT_DATA" set "$k.listen" "$LOOPBACK:$(free_port)"
  done
  log "starting Postern on $LOOPBACK:$PT_PORT ($PT_DATA)"
  "$POSTERN_BIN" serve --data-dir "$PT_DATA" >"$TMP/postern.log" 2>&1 &
  POSTERN_PID=$!
  wait_smtp "$PT_PORT" "$START_TIMEOUT" "$POSTERN_PID" || die "Postern does not answer SMTP on $LOOPBACK:$PT_PORT"
  # Nothing may listen outside loopback.
  nonlo="$(ss -Hltnp 2>/dev/null | grep "pid=$POSTERN_PID," | awk '{ print $4 }' | grep -Ev '^(127\.0\.0\.1|\[::1\]):' || true)"
  [ -z "$nonlo" ] || die "Postern listens on a non-loopback address: $nonlo"
fi

# ------------------------------------------------------------ idle memory
sleep "$IDLE_SETTLE"
if run_postern; then PT_RSS0="$(tree_mem "$POSTERN_PID")"; PT_PARTS0="$(rss_parts "$POSTERN_PID")"; fi
if run_postfix; then PF_MEM0="$(tree_mem "$PF_MASTER")"; fi

# ------------------------------------------------------------ load
LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
PF_OK=1; PT_OK=1
declare -a PF_IN PF_DE PF_AT PF_CPU PT_IN PT_DE PT_AT PT_CPU
for r in $(seq 1 "$ROUNDS"); do
  [ "$ROUNDS" = 1 ] || log "round $r of $ROUNDS"
  if run_postfix; then
    run_load postfix "$PF_PORT" "$PF/mail/$DOMAIN/bench$r/new" "$PF_MASTER" "$(rcpt_of "$r")"
    [ "$R_OK" = 1 ] || PF_OK=0
    PF_IN[r]="$R_INGEST_S"; PF_DE[r]="$R_DELIV_S"; PF_AT[r]="$R_AT_INGEST"; PF_CPU[r]="$R_CPU"
  fi
  if run_postern; then
    run_load postern "$PT_PORT" "$PT_DATA/mail/$DOMAIN/bench$r/new" "$POSTERN_PID" "$(rcpt_of "$r")"
    [ "$R_OK" = 1 ] || PT_OK=0
    PT_IN[r]="$R_INGEST_S"; PT_DE[r]="$R_DELIV_S"; PT_AT[r]="$R_AT_INGEST"; PT_CPU[r]="$R_CPU"
  fi
  # A daemon that is gone cannot be measured any further.
  if run_postfix && [ "$PF_OK" != 1 ]; then break; fi
  if run_postern && [ "$PT_OK" != 1 ]; then break; fi
done

# ------------------------------------------------------------ after-load memory
sleep "$IDLE_SETTLE"
if run_postern && kill -0 "$POSTERN_PID" 2>/dev/null; then
  PT_RSS1="$(tree_mem "$POSTERN_PID")"; PT_HWM="$(hwm_kb "$POSTERN_PID")"; PT_PARTS1="$(rss_parts "$POSTERN_PID")"
else
  PT_RSS1="0 0 0 -"; PT_HWM=0; PT_PARTS1="-"
fi
if run_postfix; then PF_MEM1="$(tree_mem "$PF_MASTER")"; fi

# ------------------------------------------------------------ report
echo
echo "SMTP ingest: $N messages x $SIZE B payload, $SESSIONS concurrent sessions (smtp-source), $LOOPBACK, one Maildir user per round"
echo "machine: $(nproc) cores, $(uname -r); 1-min loadavg before the first load: $LOAD0 (above ~1 means other work was running)"
cpu_ms() { awk -v c="$1" -v n="$N" 'BEGIN { if (c != "" && c != "-") printf "%.2f", c * 1000 / n; else print "-" }'; }
row() { printf '%-18s %9s %9s %10s %10s %10s %8s %8s  %s\n' "$@"; }
echo
row "" "ingest" "ingest" "in Maildir" "delivered" "delivered" "server" "CPU ms" ""
row "server" "s" "msg/s" "at ingest" "s" "msg/s" "CPU s" "per msg" "status"
for r in $(seq 1 "$ROUNDS"); do
  tag=""; [ "$ROUNDS" = 1 ] || tag=" #$r"
  if run_postfix && [ -n "${PF_IN[r]:-}" ]; then
    row "Postfix $PF_VERSION$tag" "${PF_IN[r]}" "$(fdiv "$N" "${PF_IN[r]}")" "${PF_AT[r]}" "${PF_DE[r]}" \
      "$(fdiv "$N" "${PF_DE[r]}")" "${PF_CPU[r]}" "$(cpu_ms "${PF_CPU[r]}")" "$([ "$PF_OK" = 1 ] && echo ok || echo BROKEN)"
  fi
  if run_postern && [ -n "${PT_IN[r]:-}" ]; then
    row "Postern$tag" "${PT_IN[r]}" "$(fdiv "$N" "${PT_IN[r]}")" "${PT_AT[r]}" "${PT_DE[r]}" \
      "$(fdiv "$N" "${PT_DE[r]}")" "${PT_CPU[r]}" "$(cpu_ms "${PT_CPU[r]}")" "$([ "$PT_OK" = 1 ] && echo ok || echo BROKEN)"
  fi
done
# What counts: the best round of each (for ROUNDS=1, the one round).
if run_postfix; then PF_IN_B="$(best "${PF_IN[@]}")"; PF_DE_B="$(best "${PF_DE[@]}")"; PF_CPU_B="$(best "${PF_CPU[@]}")"; fi
if run_postern; then PT_IN_B="$(best "${PT_IN[@]}")"; PT_DE_B="$(best "${PT_DE[@]}")"; PT_CPU_B="$(best "${PT_CPU[@]}")"; fi
if [ "$ROUNDS" != 1 ]; then
  if run_postfix; then
    row "Postfix best" "$PF_IN_B" "$(fdiv "$N" "$PF_IN_B")" "" "$PF_DE_B" "$(fdiv "$N" "$PF_DE_B")" "$PF_CPU_B" "$(cpu_ms "$PF_CPU_B")" ""
  fi
  if run_postern; then
    row "Postern best" "$PT_IN_B" "$(fdiv "$N" "$PT_IN_B")" "" "$PT_DE_B" "$(fdiv "$N" "$PT_DE_B")" "$PT_CPU_B" "$(cpu_ms "$PT_CPU_B")" ""
  fi
fi
if run_postfix && run_postern; then
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
  R_IN="$(ratio "$PF_IN_B" "$PT_IN_B")"
  R_DE="$(ratio "$PF_DE_B" "$PT_DE_B")"
  echo
  echo "ratio Postern/Postfix (msg/s$([ "$ROUNDS" = 1 ] || echo ", best of $ROUNDS rounds each")): ingest ${R_IN}x, delivered ${R_DE}x   (target: >= 2x)"
  if [ "$R_DE" != "-" ] && awk -v r="$R_DE" 'BEGIN { exit !(r < 2) }'; then echo "  -> below the 2x target"; fi
fi
echo
echo "memory (VmRSS; PSS in brackets counts shared pages once)"
if run_postern; then
  read -r a ap _ _ <<<"$PT_RSS0"; read -r b bp _ _ <<<"$PT_RSS1"
  echo "  Postern idle after start: $(mb "$a") MB [$(mb "$ap") MB]   (target: <= 15 MB)"
  echo "                            = $PT_PARTS0"
  echo "  Postern idle after load:  $(mb "$b") MB [$(mb "$bp") MB]   peak during run (VmHWM): $(mb "$PT_HWM") MB"
  echo "                            = $PT_PARTS1"
  if awk -v k="$a" 'BEGIN { exit !(k > 15 * 1024) }'; then echo "  -> idle RSS above the 15 MB target"; fi
fi
if run_postfix; then
  read -r a ap an anames <<<"$PF_MEM0"; read -r b bp bn bnames <<<"$PF_MEM1"
  echo "  Postfix idle after start: $(mb "$a") MB [$(mb "$ap") MB] summed over $an processes ($anames)"
  echo "  Postfix idle after load:  $(mb "$b") MB [$(mb "$bp") MB] summed over $bn processes ($bnames)"
fi

# One machine-readable line (msg/s, seconds, kB).
res="RESULT n=$N sessions=$SESSIONS size=$SIZE rounds=$ROUNDS"
if run_postfix; then
  res+=" postfix_ingest=$(fdiv "$N" "$PF_IN_B") postfix_delivered=$(fdiv "$N" "$PF_DE_B") postfix_cpu_s=$PF_CPU_B"
  res+=" postfix_rss_start_kb=${PF_MEM0%% *} postfix_rss_after_kb=${PF_MEM1%% *} postfix_ok=$PF_OK"
fi
if run_postern; then
  res+=" postern_ingest=$(fdiv "$N" "$PT_IN_B") postern_delivered=$(fdiv "$N" "$PT_DE_B") postern_cpu_s=$PT_CPU_B"
  res+=" postern_rss_start_kb=${PT_RSS0%% *} postern_rss_after_kb=${PT_RSS1%% *} postern_hwm_kb=$PT_HWM postern_ok=$PT_OK"
fi
if run_postfix && run_postern; then res+=" ratio_ingest=$R_IN ratio_delivered=$R_DE"; fi
echo
echo "$res"

if [ "$PF_OK" != 1 ] || [ "$PT_OK" != 1 ]; then
  FAILED=1
  echo
  echo "BROKEN: see the messages above; the run is not valid."
  exit 1
fi

#!/usr/bin/env bash
# Postern relay benchmark: Postern beside a private Postfix instance, both
# relaying through a smart host to Postfix's smtp-sink.
#
# Both servers get the same load from smtp-source (SESSIONS concurrent SMTP
# sessions, N messages of SIZE bytes to a recipient in a remote domain) on
# loopback high ports, and relay every message to one smtp-sink on another
# loopback port (Postern: delivery.mode=smarthost; Postfix: relayhost). Prints
# msgs/s (ingest, and received by the sink) of both, the Postern/Postfix ratio
# and the server CPU per message.
#
# Exits non-zero when something is broken (build/start failure, smtp-source
# errors, messages lost/duplicated/corrupted/misaddressed at the sink, daemon
# died). Missing the performance target is reported but is not a failure.
#
# Usage: bench/relay.sh [--quick] [-n N] [-s SESSIONS] [-l SIZE]
#                       [-r ROUNDS] [--only postfix|postern] [--keep]
# See bench/README.md ("Relay").
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"

# ---------------------------------------------------------------- settings
N="${BENCH_N:-10000}"           # messages per server and round
SESSIONS="${BENCH_SESSIONS:-10}"
SIZE="${BENCH_SIZE:-4096}"      # payload bytes per message (smtp-source -l)
ONLY=""                         # "", postfix, postern
KEEP=0                          # keep the temp dir (logs, sink dumps)
LOAD_TIMEOUT="${BENCH_LOAD_TIMEOUT:-600}"        # s, bound for one smtp-source run
DELIVERY_TIMEOUT="${BENCH_DELIVERY_TIMEOUT:-300}" # s after ingest ended, bound for relaying
STALL_TIMEOUT="${BENCH_STALL_TIMEOUT:-60}"        # s without progress at the sink -> give up
START_TIMEOUT="${BENCH_START_TIMEOUT:-30}"        # s, bound for a daemon to answer 220
SAMPLE="${BENCH_SAMPLE:-50}"                      # relayed messages whose body is verified
POLL="${BENCH_POLL:-0.5}"                         # s between sink counts while waiting
BUILD_DIR="${POSTERN_BUILD_DIR:-$ROOT/build-release}"
POSTERN_BIN="${POSTERN_BIN:-}"  # set to skip the cmake build and use this binary
ROUNDS="${BENCH_ROUNDS:-1}"     # alternating rounds (postfix, postern, postfix, ...); best of them counts
SENDER="sender@client.test"     # not a Postern domain: no sender-ownership question
REMOTE="remote.test"            # recipients' domain: neither server's own
LOOPBACK="127.0.0.1"            # the only address this script ever uses

SCRIPT=relay.sh
usage() { sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; }

. "$HERE/lib.sh"   # parse_bench_args, log, die, free_port, wait_smtp, tree_cpu, best, ...
parse_bench_args "$@"

# ------------------------------------------------------------ dependencies
[ "$(id -u)" = 0 ] || die "run as root (apt-get, and a private Postfix instance needs it)"
need_pkgs=()
for p in postfix procps iproute2 coreutils; do have_pkg "$p" || need_pkgs+=("$p"); done
if [ "${#need_pkgs[@]}" -gt 0 ]; then
  log "installing: ${need_pkgs[*]}"
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -q >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi
if run_postern && [ -z "$POSTERN_BIN" ] && [ -x "$ROOT/scripts/deps.sh" ]; then
  "$ROOT/scripts/deps.sh" build >&2
fi
export PATH="$PATH:/usr/sbin:/usr/lib/postfix/sbin"
command -v smtp-source >/dev/null || die "smtp-source not found (package postfix)"
command -v smtp-sink >/dev/null || die "smtp-sink not found (package postfix)"

# ------------------------------------------------------------ state/cleanup
TMP=""
POSTFIX_CONF=""
POSTERN_PID=""
SINK_PID=""
LOADER=""
FAILED=0

cleanup() {
  local rc=$?
  set +e
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
  if [ -n "$SINK_PID" ]; then
    kill -TERM "$SINK_PID" 2>/dev/null
    wait "$SINK_PID" 2>/dev/null
  fi
  if [ -n "$TMP" ] && [ -d "$TMP" ]; then
    if [ "$rc" -ne 0 ] || [ "$FAILED" -ne 0 ]; then
      for f in "$TMP/postfix/log/maillog" "$TMP/postern.log" "$TMP/postern/log/postern.log" \
               "$TMP/postern/log/delivery.log" "$TMP/sink.log"; do
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

TMP="$(mktemp -d /tmp/postern-relay.XXXXXX)"
chmod 755 "$TMP"   # Postfix daemons and smtp-sink (nobody) traverse it

# ------------------------------------------------------------ the sink
# One smtp-sink for both servers. -d dumps every received message into its own
# file (smtp-sink retries another random name if one exists, so none is
# overwritten); after each run the spool dir is moved aside and smtp-sink
# creates it again. A file appears when a transaction starts, so the count can
# be ahead by the transactions in flight (sub-millisecond on loopback); the
# files are checked for completeness afterwards.
SINK="$TMP/sink"
SPOOL="$SINK/spool"
mkdir -p "$SPOOL" "$SINK/runs"
chown 65534:65534 "$SINK" "$SPOOL"
SINK_PORT="$(free_port)"
count_sink() { { find "$SPOOL" -type f 2>/dev/null || true; } | wc -l; }   # no spool dir yet = 0
log "starting smtp-sink on $LOOPBACK:$SINK_PORT (dumps to $SPOOL)"
smtp-sink -u nobody -d "$SPOOL/%H%M/%S." "$LOOPBACK:$SINK_PORT" 1024 >"$TMP/sink.log" 2>&1 &
SINK_PID=$!
wait_smtp "$SINK_PORT" "$START_TIMEOUT" "$SINK_PID" || die "smtp-sink does not answer on $LOOPBACK:$SINK_PORT"

# ------------------------------------------------------------ verification
body_of() { tr -d '\r' < "$1" | awk 'b { print; next } /^$/ { b = 1 }'; }
REF_BODY_SUM=""
# Checks the messages of one run (moved to $2): exactly N, every one complete
# (at least SIZE bytes), addressed to $3 only, distinct Message-Ids, and a
# sample of bodies byte-identical to the reference body.
verify_run() {
  local name="$1" dir="$2" rcpt="$3" n small wrong ids f sum bad=0
  n="$(find "$dir" -type f | wc -l)"
  if [ "$n" -ne "$N" ]; then log "$name: the sink received $n messages, expected $N"; bad=1; fi
  [ "$n" -gt 0 ] || return 1
  small="$(find "$dir" -type f -size "-${SIZE}c" | wc -l)"
  [ "$small" -eq 0 ] || { log "$name: $small received messages are smaller than the $SIZE-byte payload"; bad=1; }
  wrong="$(find "$dir" -type f -print0 | xargs -0 grep -L -E "^X-Rcpt-Args: <${rcpt//./\\.}>( |\$)" | wc -l || true)"
  [ "$wrong" -eq 0 ] || { log "$name: $wrong received messages are not addressed to <$rcpt>"; bad=1; }
  wrong="$(find "$dir" -type f -print0 | xargs -0 grep -H -c '^X-Rcpt-Args:' | grep -vc ':1$' || true)"
  [ "$wrong" -eq 0 ] || { log "$name: $wrong received messages have more than one recipient"; bad=1; }
  ids="$(find "$dir" -type f -print0 | xargs -0 grep -h -i -m1 '^Message-Id:' | tr -d '\r' | sort -u | wc -l || true)"
  [ "$ids" -eq "$n" ] || { log "$name: $ids distinct Message-Ids in $n messages (duplicates?)"; bad=1; }
  while IFS= read -r f; do
    sum="$(body_of "$f" | md5sum | cut -d' ' -f1)"
    if [ -z "$REF_BODY_SUM" ]; then
      REF_BODY_SUM="$sum"
    elif [ "$sum" != "$REF_BODY_SUM" ]; then
      log "$name: body of $f differs from the reference body"; bad=1
    fi
  done < <(find "$dir" -type f | shuf -n "$SAMPLE")
  return "$bad"
}

# ------------------------------------------------------------ load driver
# run_relay NAME PORT PID_TO_WATCH RCPT -> sets R_INGEST_S, R_DELIV_S, R_AT_INGEST, R_CPU, R_OK
run_relay() {
  local name="$1" port="$2" pid="$3" rcpt="$4" t0 t1 t2 rc=0 cnt=0 deadline errf c0 c1
  local last=-1 last_t stall
  errf="$TMP/smtp-source.$name.err"
  R_OK=1; R_INGEST_S=""; R_DELIV_S=""; R_AT_INGEST=""; R_CPU=""; R_LOAD="$(cut -d' ' -f1 /proc/loadavg)"
  cnt="$(count_sink)"
  [ "$cnt" -eq 0 ] || { log "$name: sink spool not empty before the load ($cnt files)"; R_OK=0; return; }
  log "$name: smtp-source -s $SESSIONS -m $N -l $SIZE -t $rcpt -> $LOOPBACK:$port -> sink $LOOPBACK:$SINK_PORT"
  c0="$(tree_cpu "$pid")"
  t0="$(now)"
  timeout "$LOAD_TIMEOUT" smtp-source -s "$SESSIONS" -m "$N" -l "$SIZE" \
    -f "$SENDER" -t "$rcpt" "$LOOPBACK:$port" >"$errf" 2>&1 &
  LOADER=$!
  wait "$LOADER" || rc=$?
  LOADER=""
  t1="$(now)"
  R_INGEST_S="$(fsub "$t1" "$t0")"
  R_AT_INGEST="$(count_sink)"
  if [ "$rc" -ne 0 ]; then
    R_OK=0
    if [ "$rc" -eq 124 ]; then log "$name: smtp-source did not finish within ${LOAD_TIMEOUT}s"
    else log "$name: smtp-source exited with status $rc after ${R_INGEST_S}s:"; fi
    sed 's/^/    /' "$errf" | tail -n 20 >&2
  fi
  deadline=$(( $(date +%s) + DELIVERY_TIMEOUT ))
  stall="$STALL_TIMEOUT"; [ "$rc" -eq 0 ] || stall=10
  last_t="$(date +%s)"
  while :; do
    cnt="$(count_sink)"
    [ "$cnt" -ge "$N" ] && break
    [ "$(date +%s)" -ge "$deadline" ] && break
    if [ "$cnt" -ne "$last" ]; then last="$cnt"; last_t="$(date +%s)"; fi
    if [ $(( $(date +%s) - last_t )) -ge "$stall" ]; then
      log "$name: no progress at the sink for ${stall}s ($cnt/$N), giving up"
      break
    fi
    if ! kill -0 "$pid" 2>/dev/null; then break; fi
    if ! kill -0 "$SINK_PID" 2>/dev/null; then log "smtp-sink is gone"; break; fi
    sleep "$POLL"
  done
  t2="$(now)"
  c1="$(tree_cpu "$pid")"
  R_DELIV_S="$(fsub "$t2" "$t0")"
  if kill -0 "$pid" 2>/dev/null; then
    R_CPU="$(awk -v a="$c0" -v b="$c1" -v hz="$CLK_TCK" 'BEGIN { printf "%.2f", (b - a) / hz }')"
  else
    R_CPU="-"; log "$name: daemon (pid $pid) is gone"; R_OK=0
  fi
  if [ "$cnt" -lt "$N" ]; then
    log "$name: the sink received only $cnt of $N messages"
    R_OK=0; R_DELIV_S="-"
  fi
  sleep 1   # anything arriving late (duplicates)?
  local run="$SINK/runs/$name"
  mv "$SPOOL" "$run"
  verify_run "$name" "$run" "$rcpt" || R_OK=0
  cnt="$(find "$run" -type f | wc -l)"
  log "$name: ingest ${R_INGEST_S}s ($R_AT_INGEST at the sink then), all at the sink ${R_DELIV_S}s, $cnt/$N received, server CPU ${R_CPU}s, loadavg before ${R_LOAD}"
  [ "$KEEP" = 1 ] || rm -rf "$run"   # 40 MB per 10000 messages
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

# Round r of server s sends to its own recipient, so that a late or stray
# message shows up as misaddressed in the next run.
rcpt_of() { echo "$1$2@$REMOTE"; }   # rcpt_of pf|pt ROUND

# ------------------------------------------------------------ Postfix start
PF_PORT=""; PF_MASTER=""
if run_postfix; then
  PF="$TMP/postfix"
  POSTFIX_CONF="$PF/etc"
  mkdir -p "$POSTFIX_CONF" "$PF/queue" "$PF/data" "$PF/log"
  chown postfix:postfix "$PF/data"
  PF_PORT="$(free_port)"
  # Stock settings except what a private, loopback-only relaying instance needs.
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
relayhost = [$LOOPBACK]:$SINK_PORT
relay_domains =
smtp_tls_security_level = none
biff = no
append_dot_mydomain = no
smtputf8_enable = no
alias_maps =
alias_database =
local_recipient_maps =
EOF
  write_postfix_master_cf
  log "starting private Postfix on $LOOPBACK:$PF_PORT, relayhost [$LOOPBACK]:$SINK_PORT ($POSTFIX_CONF)"
  start_private_postfix
fi

# ------------------------------------------------------------ Postern start
PT_PORT=""
if run_postern; then
  PT_DATA="$TMP/postern"
  mkdir -p "$PT_DATA"
  pt() { "$POSTERN_BIN" "$@" >>"$TMP/postern-cli.log" 2>&1 || { cat "$TMP/postern-cli.log" >&2; die "postern $* failed"; }; }
  PT_PORT="$(free_port)"
  pt config --data-dir "$PT_DATA" set smtp.listen "$LOOPBACK:$PT_PORT"
  for k in submission submissions imap imaps admin; do
    pt config --data-dir "$PT_DATA" set "$k.listen" "$LOOPBACK:$(free_port)"
  done
  pt config --data-dir "$PT_DATA" set dns.nameservers "$LOOPBACK:9"   # nothing asks real DNS
  pt config --data-dir "$PT_DATA" set delivery.smarthost_host "$LOOPBACK"
  pt config --data-dir "$PT_DATA" set delivery.smarthost_port "$SINK_PORT"
  pt config --data-dir "$PT_DATA" set delivery.smarthost_tls opportunistic
  pt config --data-dir "$PT_DATA" set delivery.smarthost_verify false
  pt config --data-dir "$PT_DATA" set delivery.mode smarthost
  # Extra settings for experiments, e.g. BENCH_POSTERN_SET="delivery.per_destination_concurrency=20".
  for kv in ${BENCH_POSTERN_SET:-}; do
    pt config --data-dir "$PT_DATA" set "${kv%%=*}" "${kv#*=}"
    log "postern: $kv"
  done
  log "starting Postern on $LOOPBACK:$PT_PORT, smart host $LOOPBACK:$SINK_PORT ($PT_DATA)"
  "$POSTERN_BIN" serve --data-dir "$PT_DATA" >"$TMP/postern.log" 2>&1 &
  POSTERN_PID=$!
  wait_smtp "$PT_PORT" "$START_TIMEOUT" "$POSTERN_PID" || die "Postern does not answer SMTP on $LOOPBACK:$PT_PORT"
  nonlo="$(ss -Hltnp 2>/dev/null | grep "pid=$POSTERN_PID," | awk '{ print $4 }' | grep -Ev '^(127\.0\.0\.1|\[::1\]):' || true)"
  [ -z "$nonlo" ] || die "Postern listens on a non-loopback address: $nonlo"
fi

# ------------------------------------------------------------ load
sleep 2
LOAD0="$(cut -d' ' -f1 /proc/loadavg)"
PF_OK=1; PT_OK=1
declare -a PF_IN PF_DE PF_AT PF_CPU PT_IN PT_DE PT_AT PT_CPU
for r in $(seq 1 "$ROUNDS"); do
  [ "$ROUNDS" = 1 ] || log "round $r of $ROUNDS"
  if run_postfix; then
    run_relay "postfix-$r" "$PF_PORT" "$PF_MASTER" "$(rcpt_of pf "$r")"
    [ "$R_OK" = 1 ] || PF_OK=0
    PF_IN[r]="$R_INGEST_S"; PF_DE[r]="$R_DELIV_S"; PF_AT[r]="$R_AT_INGEST"; PF_CPU[r]="$R_CPU"
  fi
  if run_postern; then
    run_relay "postern-$r" "$PT_PORT" "$POSTERN_PID" "$(rcpt_of pt "$r")"
    [ "$R_OK" = 1 ] || PT_OK=0
    PT_IN[r]="$R_INGEST_S"; PT_DE[r]="$R_DELIV_S"; PT_AT[r]="$R_AT_INGEST"; PT_CPU[r]="$R_CPU"
  fi
  if run_postfix && [ "$PF_OK" != 1 ]; then break; fi
  if run_postern && [ "$PT_OK" != 1 ]; then break; fi
done
# Nothing may arrive after the last run; the queues must be empty.
sleep 1
late="$(count_sink)"
if [ "$late" -ne 0 ]; then
  log "$late messages reached the sink after the last run (duplicates?)"
  if run_postern; then PT_OK=0; fi
  if run_postfix; then PF_OK=0; fi
fi
if run_postfix; then
  PF_Q="$(find "$PF/queue/incoming" "$PF/queue/active" "$PF/queue/deferred" "$PF/queue/hold" -type f 2>/dev/null | wc -l)"
  [ "$PF_Q" -eq 0 ] || { log "postfix: $PF_Q messages still queued"; PF_OK=0; }
  PF_DEFER="$(grep -c -E 'status=(deferred|bounced)' "$PF/log/maillog" 2>/dev/null || true)"
  [ "${PF_DEFER:-0}" -eq 0 ] || log "postfix: $PF_DEFER deferred/bounced deliveries in its maillog"
fi
if run_postern; then
  PT_DEFER="$(grep -v -c ' status=sent ' "$PT_DATA/log/delivery.log" 2>/dev/null || true)"
  [ "${PT_DEFER:-0}" -eq 0 ] || log "postern: $PT_DEFER delivery.log lines that are not status=sent (deferred/bounced)"
fi

# ------------------------------------------------------------ report
echo
echo "SMTP relay: $N messages x $SIZE B payload, $SESSIONS concurrent sessions (smtp-source) -> server -> smart host smtp-sink, $LOOPBACK"
echo "machine: $(nproc) cores, $(uname -r); 1-min loadavg before the first load: $LOAD0 (above ~1 means other work was running)"
cpu_ms() { awk -v c="$1" -v n="$N" 'BEGIN { if (c != "" && c != "-") printf "%.2f", c * 1000 / n; else print "-" }'; }
row() { printf '%-18s %9s %9s %10s %10s %10s %8s %8s  %s\n' "$@"; }
echo
row "" "ingest" "ingest" "at sink" "at sink" "relayed" "server" "CPU ms" ""
row "server" "s" "msg/s" "at ingest" "all s" "msg/s" "CPU s" "per msg" "status"
for r in $(seq 1 "$ROUNDS"); do
  tag=""; [ "$ROUNDS" = 1 ] || tag=" #$r"
  if run_postfix && [ -n "${PF_IN[r]:-}" ]; then
    row "Postfix ${PF_VERSION:-}$tag" "${PF_IN[r]}" "$(fdiv "$N" "${PF_IN[r]}")" "${PF_AT[r]}" "${PF_DE[r]}" \
      "$(fdiv "$N" "${PF_DE[r]}")" "${PF_CPU[r]}" "$(cpu_ms "${PF_CPU[r]}")" "$([ "$PF_OK" = 1 ] && echo ok || echo BROKEN)"
  fi
  if run_postern && [ -n "${PT_IN[r]:-}" ]; then
    row "Postern$tag" "${PT_IN[r]}" "$(fdiv "$N" "${PT_IN[r]}")" "${PT_AT[r]}" "${PT_DE[r]}" \
      "$(fdiv "$N" "${PT_DE[r]}")" "${PT_CPU[r]}" "$(cpu_ms "${PT_CPU[r]}")" "$([ "$PT_OK" = 1 ] && echo ok || echo BROKEN)"
  fi
done
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
R_IN="-"; R_DE="-"
if run_postfix && run_postern; then
  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b + 0 > 0) printf "%.2f", a / b; else print "-" }'; }
  R_IN="$(ratio "$PF_IN_B" "$PT_IN_B")"
  R_DE="$(ratio "$PF_DE_B" "$PT_DE_B")"
  echo
  echo "ratio Postern/Postfix (msg/s$([ "$ROUNDS" = 1 ] || echo ", best of $ROUNDS rounds each")): ingest ${R_IN}x, relayed ${R_DE}x   (target: >= 2x)"
  if [ "$R_DE" != "-" ] && awk -v r="$R_DE" 'BEGIN { exit !(r < 2) }'; then echo "  -> below the 2x target"; fi
fi

res="RESULT n=$N sessions=$SESSIONS size=$SIZE rounds=$ROUNDS"
if run_postfix; then
  res+=" postfix_ingest=$(fdiv "$N" "$PF_IN_B") postfix_relayed=$(fdiv "$N" "$PF_DE_B") postfix_cpu_s=$PF_CPU_B postfix_ok=$PF_OK"
fi
if run_postern; then
  res+=" postern_ingest=$(fdiv "$N" "$PT_IN_B") postern_relayed=$(fdiv "$N" "$PT_DE_B") postern_cpu_s=$PT_CPU_B postern_ok=$PT_OK"
fi
res+=" postfix_not_sent=${PF_DEFER:--} postern_not_sent=${PT_DEFER:--}"
if run_postfix && run_postern; then res+=" ratio_ingest=$R_IN ratio_relayed=$R_DE"; fi
echo
echo "$res"

if [ "$PF_OK" != 1 ] || [ "$PT_OK" != 1 ]; then
  FAILED=1
  echo
  echo "BROKEN: see the messages above; the run is not valid."
  exit 1
fi

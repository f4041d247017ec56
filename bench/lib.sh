#!/usr/bin/env bash
# Shell helpers shared by the bench scripts (run.sh, relay.sh, imap.sh). Sourced, not run.
# Expects: LOOPBACK (the only address used), TMP (the temp dir; set before
# postfix_master_pid is called, private Postfix queue under $TMP/postfix/queue).

# ------------------------------------------------------------ basics
log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
fdiv() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.1f", a / b; else print "-" }'; }
fsub() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", a - b }'; }

# ------------------------------------------------------------ arguments
# The options run.sh and relay.sh share: --quick, -n N, -s SESSIONS, -l SIZE, -r ROUNDS,
# --only postfix|postern, --keep, -h. Sets N, SESSIONS, SIZE, ROUNDS, ONLY, KEEP, QUICK (the
# caller sets their defaults, SCRIPT and usage() first). --quick means 300 messages unless
# -n is given, a sample of 20 and a 0.1 s poll. A script's own option goes to its
# extra_option function when it defines one (it returns non-zero for an unknown option).
parse_bench_args() {
  local n_set=""
  QUICK=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --quick) QUICK=1; shift ;;
      -n) N="${2:-}"; n_set=1; shift 2 || shift ;;
      -s) SESSIONS="${2:-}"; shift 2 || shift ;;
      -l) SIZE="${2:-}"; shift 2 || shift ;;
      -r) ROUNDS="${2:-}"; shift 2 || shift ;;
      --only) ONLY="${2:-}"; [ -n "$ONLY" ] || ONLY=invalid; shift 2 || shift ;;
      --keep) KEEP=1; shift ;;
      -h|--help) usage; exit 0 ;;
      *)
        if declare -F extra_option >/dev/null && extra_option "$1"; then shift; continue; fi
        echo "$SCRIPT: unknown argument: $1" >&2; usage >&2; exit 2 ;;
    esac
  done
  if [ "$QUICK" = 1 ]; then
    [ -n "$n_set" ] || N="${BENCH_N:-300}"
    SAMPLE=20; POLL="${BENCH_POLL:-0.1}"
  fi
  case "$ONLY" in ""|postfix|postern) ;; *) echo "$SCRIPT: --only takes postfix or postern" >&2; exit 2 ;; esac
  local v
  for v in N SESSIONS SIZE ROUNDS; do
    case "${!v}" in ''|*[!0-9]*|0) echo "$SCRIPT: $v must be a positive integer" >&2; exit 2 ;; esac
  done
}
run_postfix() { [ "$ONLY" != postern ]; }
run_postern() { [ "$ONLY" != postfix ]; }

# ------------------------------------------------------------ packages
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

# ------------------------------------------------------------ private Postfix
# Pid of the private instance's master, if it runs.
postfix_master_pid() {
  local f="$TMP/postfix/queue/pid/master.pid" p
  [ -f "$f" ] || return 1
  p="$(tr -dc '0-9' < "$f")"
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null && echo "$p"
}

# ------------------------------------------------------------ free ports
# A port counts as taken when something listens on it (IPv4 or IPv6).
declare -A USED_PORTS=()
port_listening() {
  local hex
  hex="$(printf ':%04X' "$1")"
  awk -v h="$hex" '$4 == "0A" && substr($2, length($2) - 4) == h { f = 1 } END { exit !f }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null
}
# Picked below the kernel's ephemeral range where there is room: a port in that range
# can be taken by an outgoing connection between the check and the daemon's bind.
PORT_LO=20000; PORT_SPAN=40000
read -r _eph_lo _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || _eph_lo=0
if [ "${_eph_lo:-0}" -gt $(( PORT_LO + 1000 )) ]; then PORT_SPAN=$(( _eph_lo - PORT_LO )); fi
free_port() {
  local p
  for _ in $(seq 1 500); do
    p=$(( PORT_LO + (RANDOM * 32768 + RANDOM) % PORT_SPAN ))
    [ -n "${USED_PORTS[$p]:-}" ] && continue
    port_listening "$p" && continue
    USED_PORTS[$p]=1
    echo "$p"
    return 0
  done
  die "no free loopback port found"
}

# Wait until an SMTP server answers 220 on 127.0.0.1:$1 (bounded by $2 s).
wait_smtp() {
  local port="$1" limit="$2" pid="${3:-}" deadline line
  deadline=$(( $(date +%s) + limit ))
  while [ "$(date +%s)" -lt "$deadline" ]; do
    if [ -n "$pid" ] && ! kill -0 "$pid" 2>/dev/null; then return 1; fi
    line="$(timeout 3 bash -c '
      exec 3<>"/dev/tcp/'"$LOOPBACK"'/$1" || exit 1
      IFS= read -r -t 2 l <&3 || exit 1
      printf "QUIT\r\n" >&3
      printf "%s" "$l"' _ "$port" 2>/dev/null || true)"
    case "$line" in 220*) return 0 ;; esac
    sleep 0.2
  done
  return 1
}

# ------------------------------------------------------------ memory
rss_kb() { awk '/^VmRSS:/ { print $2; f = 1 } END { if (!f) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ { print $2; f = 1 } END { if (!f) print 0 }' "/proc/$1/status" 2>/dev/null || echo 0; }
pss_kb() { awk '/^Pss:/ { print $2; f = 1 } END { if (!f) print 0 }' "/proc/$1/smaps_rollup" 2>/dev/null || echo 0; }
# "anon X MB + file Y MB, N threads" of one process: what its RSS is made of.
rss_parts() {
  awk '/^RssAnon:/ { a = $2 } /^RssFile:/ { f = $2 } /^RssShmem:/ { s = $2 } /^Threads:/ { t = $2 }
       END { printf "anon %.1f MB + file %.1f MB + shmem %.1f MB, %d threads", a / 1024, f / 1024, s / 1024, t }' \
    "/proc/$1/status" 2>/dev/null || echo "?"
}
mb() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
# A process and all its descendants.
proc_tree() {
  local p c
  for p in "$@"; do
    echo "$p"
    for c in $(pgrep -P "$p" 2>/dev/null || true); do proc_tree "$c"; done
  done
}
# "<rss_kb> <pss_kb> <nprocs> <name:count,...>" summed over a process tree.
tree_mem() {
  local rss=0 pss=0 n=0 p names=""
  declare -A cnt=()
  for p in $(proc_tree "$1"); do
    [ -r "/proc/$p/status" ] || continue
    rss=$(( rss + $(rss_kb "$p") ))
    pss=$(( pss + $(pss_kb "$p") ))
    n=$(( n + 1 ))
    local c
    c="$(cat "/proc/$p/comm" 2>/dev/null || echo '?')"
    cnt[$c]=$(( ${cnt[$c]:-0} + 1 ))
  done
  for p in "${!cnt[@]}"; do names+="${names:+,}$p:${cnt[$p]}"; done
  echo "$rss $pss $n $names"
}

# CPU time (clock ticks) of a process tree: utime+stime of every live process
# plus cutime+cstime (children it has reaped; for Postfix's master that is every
# daemon process that exited). The difference of two samples is the CPU used.
CLK_TCK="$(getconf CLK_TCK 2>/dev/null || echo 100)"
tree_cpu() {
  local p t=0 v
  for p in $(proc_tree "$1"); do
    v="$(sed 's/^.*) //' "/proc/$p/stat" 2>/dev/null | awk '{ print $12 + $13 + $14 + $15 }')" || continue
    t=$(( t + ${v:-0} ))
  done
  echo "$t"
}


# ------------------------------------------------------------ rounds
# Best (shortest) time over the rounds: other load on the machine only ever slows a run down.
best() { local x m=""; for x in "$@"; do case "$x" in ''|-) continue ;; esac
  if [ -z "$m" ] || awk -v a="$x" -v b="$m" 'BEGIN { exit !(a < b) }'; then m="$x"; fi; done; echo "${m:--}"; }

# master.cf of the private Postfix: smtpd on $LOOPBACK:$PF_PORT, every daemon without chroot.
write_postfix_master_cf() {
  cat >"$POSTFIX_CONF/master.cf" <<EOF
$LOOPBACK:$PF_PORT inet n - n - - smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
EOF
}

# Starts the private Postfix configured in $POSTFIX_CONF; sets PF_MASTER and PF_VERSION.
start_private_postfix() {
  postfix -c "$POSTFIX_CONF" check >"$TMP/postfix-check.log" 2>&1 || true
  if ! postfix -c "$POSTFIX_CONF" start >"$TMP/postfix-start.log" 2>&1; then
    cat "$TMP/postfix-start.log" >&2
    die "postfix -c $POSTFIX_CONF start failed"
  fi
  for _ in $(seq 1 50); do PF_MASTER="$(postfix_master_pid || true)"; [ -n "$PF_MASTER" ] && break; sleep 0.1; done
  [ -n "$PF_MASTER" ] || die "Postfix master did not start"
  wait_smtp "$PF_PORT" "$START_TIMEOUT" "$PF_MASTER" || die "Postfix does not answer SMTP on $LOOPBACK:$PF_PORT"
  PF_VERSION="$(postconf -c "$POSTFIX_CONF" -h mail_version 2>/dev/null || echo '?')"
}

#!/bin/bash
# Opt-in: receive mail on the standard ports (25, 465, 587, 143, 993) on the
# NAS itself.  Run as root (SSH + sudo, or a DSM Task Scheduler task).
#
# DSM 7 lets no third-party package bind ports below 1024, so Postern listens
# on 2525/2465/2587/2143/2993.  The usual setup needs none of this: forward the
# standard ports to those on your router.  This script is for mail that
# arrives on the standard ports at the NAS itself (LAN clients, or a router
# that can only forward a port to the same port).
#
# It adds iptables "REDIRECT" rules: a connection to port 25 of the NAS is
# handed to port 2525, and so on.  Unlike a relay process, REDIRECT keeps the
# client's own address, which SPF and block lists need.  Nothing in the
# package is changed, so the rules survive package upgrades; they do not
# survive a reboot, so add this as a Task Scheduler "Triggered task", event
# "Boot-up", user root:
#     bash /var/packages/postern/target/share/postern/privileged-ports.sh enable
# Also allow the Postern ports (2525 ...) in the DSM firewall if it is on:
# the firewall sees the redirected port.
#
# Why not setcap: the daemon starts through the glibc loader bundled in the
# package, so a file capability would have to sit on that loader; and it would
# be lost at every upgrade.
#
#   privileged-ports.sh enable  [--dry-run]   add the rules (idempotent)
#   privileged-ports.sh disable [--dry-run]   remove them
#   privileged-ports.sh status                show them
#
# The high ports are read from Postern's settings (smtp.listen ...), so a
# changed port is followed; the defaults are used if they cannot be read.
set -euo pipefail

PKG_ROOT=${POSTERN_PKG_ROOT:-/var/packages/postern}
CHAIN=POSTERN_PORTS
IPTABLES=${IPTABLES:-iptables}

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
  exit "${1:-1}"
}

action=${1:-}
dry_run=no
[ "${2:-}" = --dry-run ] && dry_run=yes
case "$action" in
  enable|disable|status) ;;
  -h|--help|help) usage 0 ;;
  *) usage 1 ;;
esac

run() {
  if [ "$dry_run" = yes ]; then
    echo "$*"
  else
    "$@"
  fi
}

# "0.0.0.0:2525,127.0.0.1:2526" -> 2525 (the first listener's port)
high_port() {  # $1 settings key, $2 default port
  local value=""
  if [ -x "$PKG_ROOT/target/bin/postern" ] && id sc-postern >/dev/null 2>&1; then
    value=$(sudo -u sc-postern "$PKG_ROOT/target/bin/postern" config \
      --data-dir "$PKG_ROOT/var" get "$1" 2>/dev/null || true)
  fi
  local port
  port=$(sed -n 's/^[^,]*:\([0-9][0-9]*\).*/\1/p' <<<"$value")
  echo "${port:-$2}"
}

if [ "$dry_run" = no ] && [ "$(id -u)" != 0 ]; then
  echo "privileged-ports.sh: run this as root (sudo bash $0 $action)" >&2
  exit 1
fi
if [ "$dry_run" = no ] && ! command -v "$IPTABLES" >/dev/null; then
  echo "privileged-ports.sh: $IPTABLES not found; this NAS cannot redirect ports" >&2
  exit 1
fi

# standard port : settings key : default high port
mapping="25:smtp.listen:2525
465:submissions.listen:2465
587:submission.listen:2587
143:imap.listen:2143
993:imaps.listen:2993"

case "$action" in
  enable)
    # Our own chain, hooked once into PREROUTING: "disable" can then remove
    # exactly our rules and nothing of DSM's.
    if [ "$dry_run" = yes ] || ! "$IPTABLES" -t nat -n -L "$CHAIN" >/dev/null 2>&1; then
      run "$IPTABLES" -t nat -N "$CHAIN"
    fi
    run "$IPTABLES" -t nat -F "$CHAIN"
    while IFS=: read -r std key def; do
      high=$(high_port "$key" "$def")
      run "$IPTABLES" -t nat -A "$CHAIN" -p tcp --dport "$std" -j REDIRECT --to-ports "$high"
    done <<<"$mapping"
    if [ "$dry_run" = yes ] || ! "$IPTABLES" -t nat -C PREROUTING -j "$CHAIN" 2>/dev/null; then
      run "$IPTABLES" -t nat -A PREROUTING -j "$CHAIN"
    fi
    [ "$dry_run" = yes ] || echo "Standard mail ports now lead to Postern (until the next reboot)."
    ;;
  disable)
    if [ "$dry_run" = yes ] || "$IPTABLES" -t nat -n -L "$CHAIN" >/dev/null 2>&1; then
      run "$IPTABLES" -t nat -D PREROUTING -j "$CHAIN" || true
      run "$IPTABLES" -t nat -F "$CHAIN"
      run "$IPTABLES" -t nat -X "$CHAIN"
    fi
    [ "$dry_run" = yes ] || echo "Postern's port redirections are removed."
    ;;
  status)
    "$IPTABLES" -t nat -n -L "$CHAIN" 2>/dev/null || echo "No Postern port redirections are active."
    ;;
esac

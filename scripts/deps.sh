#!/usr/bin/env bash
# Installs what Postern needs from Debian 12's packages, only what is missing.
# Usage: scripts/deps.sh build|test   (test = build + what the test suites use)
set -euo pipefail

build_pkgs=(build-essential cmake pkg-config libpoco-dev libssl-dev libsqlite3-dev libsodium-dev
            libspf2-dev nlohmann-json3-dev libcivetweb-dev libgtest-dev libunbound-dev libgmime-3.0-dev
            libopendkim-dev zlib1g-dev)
# The control panel (ui/) builds with node and npm; Debian's only when none is installed.
command -v node >/dev/null && command -v npm >/dev/null || build_pkgs+=(nodejs npm)
test_pkgs=(python3 python3-pytest python3-pytest-xdist python3-spf python3-yaml python3-dnslib python3-dkim python3-jsonschema python3-cryptography swaks openssl iproute2
           procps dnsmasq-base bind9-dnsutils postfix sasl2-bin libsasl2-modules clang libclang-rt-14-dev
           chromium fonts-ipafont-gothic isync curl dovecot-imapd nsd ldnsutils)

want=("${build_pkgs[@]}")
[[ "${1:-build}" == test ]] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Postfix is only a test peer (smart host, MX) started from private config folders:
  # never let its package configure or start a system instance.
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

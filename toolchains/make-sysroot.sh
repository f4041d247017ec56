#!/bin/bash
# Make (or reuse) a Debian 12 sysroot for one target architecture.
#
#   toolchains/make-sysroot.sh DEBARCH [DIR]
#
# DEBARCH is a Debian architecture: amd64, arm64 or armhf.
# DIR defaults to build/sysroots/DEBARCH in the repository.
#
# Why a sysroot per architecture: Debian's arm64/armhf -dev packages cannot be
# installed next to the amd64 ones on the build machine (multiarch version skew
# between bookworm and bookworm-updates/security), and the x86_64 package must
# carry its own glibc anyway.  mmdebstrap's "extract" variant unpacks the
# packages and their dependencies without running any maintainer script, so no
# emulation is needed and a sysroot takes well under a minute.
#
# The mirrors are the build machine's own apt sources (toolchains/apt-sources.py);
# no mirror host is written in this repository.
#
# The sysroot is reused when its stamp (package list + apt sources + this
# script's version) matches; delete the directory to force a rebuild.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)

die() { echo "make-sysroot: error: $*" >&2; exit 1; }
warn() { echo "make-sysroot: warning: $*" >&2; }

[ $# -ge 1 ] || die "usage: $0 amd64|arm64|armhf [DIR]"
arch=$1
case "$arch" in
  amd64|arm64|armhf) ;;
  *) die "unknown architecture '$arch' (want amd64, arm64 or armhf)" ;;
esac
dir=${2:-$repo/build/sysroots/$arch}

# What the daemon links against (see the top-level CMakeLists.txt), plus the C
# and C++ runtimes that get shipped inside the package.  libstdc++-12-dev is
# needed because gcc looks for the C++ headers inside the sysroot.
packages=(
  libc6-dev libstdc++-12-dev libgcc-12-dev
  libpoco-dev libssl-dev libsqlite3-dev libsodium-dev libspf2-dev
  nlohmann-json3-dev libcivetweb-dev libunbound-dev
  # MIME parsing for IMAP (GMime pulls GLib/GObject/GIO, bundled by DT_NEEDED).
  libgmime-3.0-dev
  # DKIM signing (libopendkim) and the gzip of TLS reports (zlib).
  libopendkim-dev zlib1g-dev
  # Mozilla's CA list, shipped in the package: the bundled OpenSSL looks for
  # certificates under Debian's paths, which DSM does not have.
  ca-certificates
)
stamp_version=2
codename=bookworm

sources=$(/usr/bin/python3 "$here/apt-sources.py" --codename "$codename") \
  || die "could not read the apt sources of this machine"
make_stamp() { printf 'v%s %s %s\n%s' "$stamp_version" "$arch" "${packages[*]}" "$1"; }
stamp=$(make_stamp "$sources")
# A sysroot made without the security suite (see the fallback below) is
# reused too; otherwise every build would retry and fail again.
sources_nosec=$(/usr/bin/python3 "$here/apt-sources.py" --codename "$codename" --no-security)
stamp_nosec=$(make_stamp "$sources_nosec")

if [ -f "$dir/.postern-sysroot" ]; then
  have=$(cat "$dir/.postern-sysroot")
  if [ "$have" = "$stamp" ]; then
    echo "make-sysroot: reusing $dir"
    exit 0
  elif [ "$have" = "$stamp_nosec" ]; then
    warn "reusing $dir, which was made WITHOUT the $codename-security suite; delete it to retry"
    exit 0
  fi
fi

command -v mmdebstrap >/dev/null || die "mmdebstrap is missing (run toolchains/install-build-deps.sh)"

tmp="$dir.tmp.$$"
rm -rf "$tmp"
mkdir -p "$(dirname "$dir")"
trap 'rm -rf "$tmp"' EXIT

run_mmdebstrap() {  # $1: newline separated one-line apt entries
  local -a mirrors=()
  local line
  while IFS= read -r line; do
    [ -n "$line" ] && mirrors+=("$line")
  done <<<"$1"
  rm -rf "$tmp"
  # --skip=check/signed-by: mmdebstrap otherwise insists on the keyring
  # being given again in the chroot; we only unpack, nothing runs inside it.
  mmdebstrap --variant=extract --mode=auto --architectures="$arch" \
    --include="$(IFS=,; echo "${packages[*]}")" \
    --skip=check/signed-by \
    --aptopt='Acquire::Retries "3"' \
    "$codename" "$tmp" "${mirrors[@]}"
}

echo "make-sysroot: creating $dir ($arch) from this machine's apt sources"
start=$(date +%s)
if ! run_mmdebstrap "$sources"; then
  # Known problem: the security suite's armhf index sometimes fails apt's size
  # check (the mirror serves a stale Packages file).  A sysroot from main +
  # updates still builds a working package; say so loudly.
  warn "mmdebstrap failed with the security suite; retrying with $codename and $codename-updates only."
  warn "The $arch package will then be built WITHOUT the latest Debian security updates."
  run_mmdebstrap "$sources_nosec" || die "mmdebstrap failed for $arch"
  stamp=$stamp_nosec
fi

# Absolute symlinks (e.g. /usr/lib/<triplet>/libfoo.so -> /lib/<triplet>/libfoo.so.1)
# would point into the build machine's own root; make them relative so that
# they resolve inside the sysroot.
/usr/bin/python3 - "$tmp" <<'EOF'
import os, sys
root = os.path.abspath(sys.argv[1])
fixed = 0
for d, dirs, files in os.walk(root):
    for n in dirs + files:
        p = os.path.join(d, n)
        if os.path.islink(p):
            t = os.readlink(p)
            if t.startswith("/"):
                rel = os.path.relpath(root + t, d)
                os.unlink(p)
                os.symlink(rel, p)
                fixed += 1
print("make-sysroot: made %d absolute symlinks relative" % fixed)
EOF

printf '%s' "$stamp" >"$tmp/.postern-sysroot"
rm -rf "$dir"
mv "$tmp" "$dir"
trap - EXIT
echo "make-sysroot: $dir ready in $(( $(date +%s) - start ))s ($(du -sh "$dir" | cut -f1))"

#!/bin/bash
# Install (as root, with apt) every tool the cross builds, the packaging and
# the package tests need, on a Debian 12 machine.  Packages already installed
# are skipped, so this costs nothing on a prepared machine.
#
#   toolchains/install-build-deps.sh
#
# The libraries the daemon links against are NOT installed here: they come
# from the per-architecture sysroots (toolchains/make-sysroot.sh).
set -euo pipefail

packages=(
  # compilers: the build machine's gcc builds x86_64 against the amd64 sysroot
  build-essential g++ cmake ninja-build ccache
  g++-aarch64-linux-gnu binutils-aarch64-linux-gnu
  g++-arm-linux-gnueabihf binutils-arm-linux-gnueabihf
  # sysroots
  mmdebstrap debian-archive-keyring
  # packaging: python3 (icons, library bundling), tar/gzip, readelf (binutils)
  python3 tar gzip binutils
  # tests: pytest, qemu-user for the aarch64/armv7 packages, setpriv (util-linux)
  python3-pytest qemu-user util-linux shellcheck
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q '^install ok installed$'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-build-deps: all build tools present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "install-build-deps: missing packages: ${missing[*]}" >&2
  echo "install-build-deps: run this script as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "install-build-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"

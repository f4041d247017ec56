#!/bin/bash
# Build the Postern Synology packages: one .spk per architecture.
#
#   package/build-spks.sh [OUTDIR]          (default OUTDIR: build/spk)
#
# For each of x86_64, aarch64 (DSM "armv8") and armv7 this
#   1. installs missing build tools (toolchains/install-build-deps.sh; root),
#   2. makes or reuses a Debian 12 sysroot (toolchains/make-sysroot.sh),
#   3. configures/builds the top-level CMake project with the toolchain file
#      (build/cross/ARCH, incremental; ccache when available),
#   4. stages the payload: stripped program, every shared library it uses
#      (glibc's loader and libc, libstdc++ included), launcher, port file,
#      DSM desktop entry,
#   5. writes OUTDIR/postern-ARCH-VERSION.spk (plain tar: package.tgz and
#      INFO first, then scripts/, conf/, WIZARD_UIFILES/, icons, LICENSE).
#
# Environment:
#   POSTERN_ARCHES        architectures to build (default "x86_64 aarch64 armv7")
#   POSTERN_BUILD_NUMBER  build number after the "-" in the version
#                         (default: number of commits on HEAD; DSM upgrades
#                         only to a larger number)
#   POSTERN_CACHE_DIR     keep sysroots and ccache there instead of build/
#                         (survives a fresh clone, e.g. in CI)
#   POSTERN_JOBS          parallel compile jobs (default: nproc)
#   POSTERN_SKIP_DEPS=1   do not check/install build tools
#   POSTERN_UI_DIST       built control panel to ship in share/ui (default: built now
#                         by scripts/build-ui.sh into build/share/ui when npm exists)
#   POSTERN_NO_COMPILE=1  repackage the programs already in build/cross/ARCH
#                         (for work on the scripts while the sources do not build)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/.." && pwd)
build="$repo/build"
out=$(mkdir -p "${1:-$build/spk}" && cd "${1:-$build/spk}" && pwd)
cache=${POSTERN_CACHE_DIR:-$build}
jobs=${POSTERN_JOBS:-$(nproc)}
arches=${POSTERN_ARCHES:-x86_64 aarch64 armv7}
max_spk_bytes=$((15 * 1024 * 1024))

die() { echo "build-spks: error: $*" >&2; exit 1; }
note() { echo "build-spks: $*"; }
t_all=$(date +%s)

# --- per-architecture facts --------------------------------------------------
# DSM INFO "arch" must list platform names: DSM has no "aarch64" value and its
# "armv7" family value covers only alpine/alpine4k.  Lists from Synology's
# platform appendix and build scripts (docs: synology-packaging.md section 2).
arch_facts() {  # sets debarch triplet toolchain platforms
  case "$1" in
    x86_64)
      debarch=amd64 triplet=x86_64-linux-gnu toolchain=x86_64-linux-gnu.cmake
      platforms="apollolake avoton braswell broadwell broadwellnk broadwellnkv2 broadwellntb broadwellntbap bromolow cedarview coffeelake denverton epyc7002 epyc7003 geminilake geminilakenk grantley icelaked kvmx64 purley r1000 r1000nk skylaked v1000 v1000nk"
      ;;
    aarch64)
      debarch=arm64 triplet=aarch64-linux-gnu toolchain=aarch64-linux-gnu.cmake
      platforms="rtd1296 rtd1619 rtd1619b armada37xx"
      ;;
    armv7)
      # armada370/375/xp and comcerto2k are left out: DSM 7.1 at most, old
      # kernels, never tested with Debian armhf binaries.
      debarch=armhf triplet=arm-linux-gnueabihf toolchain=arm-linux-gnueabihf.cmake
      platforms="alpine alpine4k armada38x monaco"
      ;;
    *) die "unknown architecture '$1' (want x86_64, aarch64, armv7)" ;;
  esac
}
for a in $arches; do arch_facts "$a"; done  # validate the list early

# --- control panel (architecture-independent static files) ---------------------
if [ -z "${POSTERN_UI_DIST:-}" ] && command -v npm >/dev/null; then
  "$repo/scripts/build-ui.sh" "$build/share/ui" >/dev/null || die "control panel build failed"
  POSTERN_UI_DIST="$build/share/ui"
fi
[ -n "${POSTERN_UI_DIST:-}" ] || note "no npm: packages ship without the control panel (placeholder page)"

# --- version -------------------------------------------------------------------
feature=$(sed -n 's/^project([^)]*VERSION[[:space:]]\{1,\}\([0-9][0-9.]*\).*/\1/p' "$repo/CMakeLists.txt" | head -n 1)
[ -n "$feature" ] || die "no project(... VERSION x.y.z) in CMakeLists.txt"
if [ -n "${POSTERN_BUILD_NUMBER:-}" ]; then
  buildno=$POSTERN_BUILD_NUMBER
else
  buildno=$(git -C "$repo" rev-list --count HEAD 2>/dev/null || echo 0)
fi
version="$feature-$buildno"
[[ $version =~ ^[0-9]+(\.[0-9]+)*-[0-9]+$ ]] || die "version '$version' is not numeric (DSM rejects letters)"
# Reproducible archives: every file gets the time of the last commit.
epoch=${SOURCE_DATE_EPOCH:-$(git -C "$repo" log -1 --format=%ct 2>/dev/null || date +%s)}
note "version $version, architectures: $arches, output: $out"

# --- tools -----------------------------------------------------------------------
if [ -z "${POSTERN_SKIP_DEPS:-}" ]; then
  bash "$repo/toolchains/install-build-deps.sh"
fi
generator=()
command -v ninja >/dev/null && generator=(-G Ninja)
launcher=()
if command -v ccache >/dev/null; then
  export CCACHE_DIR=${CCACHE_DIR:-$cache/ccache}
  # Relative paths in the cache keys: hits across clones in other folders.
  export CCACHE_BASEDIR=$repo
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi

# --- shared, architecture-independent parts -----------------------------------
common="$build/spk-work/common"
rm -rf "$common"
mkdir -p "$common"
/usr/bin/python3 "$here/tools/make-icons.py" "$common"
grep -v '^#' "$repo/INFO" | grep -v '^[[:space:]]*$' >"$common/INFO.base"
for key in package displayname description maintainer os_min_ver dsmuidir dsmappname adminport; do
  grep -q "^$key=\"" "$common/INFO.base" || die "top-level INFO lacks $key"
done
if grep -qE '^(version|arch|checksum|extractsize)=' "$common/INFO.base"; then
  die "top-level INFO must not set version, arch, checksum or extractsize (filled in here)"
fi

# --- one architecture ---------------------------------------------------------------
build_arch() {
  local arch=$1 t0 t1 t2 t3
  arch_facts "$arch"
  t0=$(date +%s)
  local sysroot="$cache/sysroots/$debarch"
  bash "$repo/toolchains/make-sysroot.sh" "$debarch" "$sysroot"
  t1=$(date +%s)

  local bdir="$build/cross/$arch"
  if [ -n "${POSTERN_NO_COMPILE:-}" ]; then
    note "$arch: POSTERN_NO_COMPILE set, packaging the existing $bdir/bin/postern"
  elif [ ! -f "$bdir/CMakeCache.txt" ]; then
    cmake -S "$repo" -B "$bdir" "${generator[@]}" "${launcher[@]}" \
      -DCMAKE_TOOLCHAIN_FILE="$repo/toolchains/$toolchain" \
      -DPOSTERN_SYSROOT="$sysroot" \
      -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DCMAKE_UNITY_BUILD=ON
  fi
  [ -n "${POSTERN_NO_COMPILE:-}" ] || cmake --build "$bdir" --target postern civetweb_openssl_shim -j "$jobs"
  [ -x "$bdir/bin/postern" ] || die "$bdir/bin/postern was not built"
  [ -f "$bdir/lib/libssl.so" ] || die "$bdir/lib/libssl.so (the OpenSSL adapter for CivetWeb) was not built"
  t2=$(date +%s)

  local work="$build/spk-work/$arch"
  local payload="$work/payload" spkdir="$work/spk"
  rm -rf "$work"
  mkdir -p "$payload/bin" "$payload/libexec" "$payload/lib" "$payload/share/postern" "$spkdir"

  # Program, stripped with the target's binutils.
  "$triplet-strip" --strip-all -o "$payload/libexec/postern" "$bdir/bin/postern"

  # Every shared library, glibc's loader included; CivetWeb dlopen()s OpenSSL
  # by the unversioned names: libcrypto.so is a link to the real one, libssl.so is
  # Postern's adapter (webapp-api/openssl_shim: soname libssl.so, needs libssl.so.3).
  local loader
  "$triplet-strip" --strip-all -o "$work/libssl.so" "$bdir/lib/libssl.so"
  loader=$(/usr/bin/python3 "$here/tools/bundle-libs.py" --sysroot "$sysroot" --triplet "$triplet" \
    --libdir "$payload/lib" --extra libcrypto.so=libcrypto.so.3 \
    "$payload/libexec/postern" "$work/libssl.so")
  install -m 644 "$work/libssl.so" "$payload/lib/libssl.so"
  sed "s/@LOADER@/$loader/g" "$here/payload/bin/postern" >"$payload/bin/postern"
  chmod 755 "$payload/bin/postern" "$payload/libexec/postern" "$payload/lib/$loader"

  cp -p "$here/payload/share/postern/"* "$payload/share/postern/"
  # CA certificates for checking smart hosts / MX hosts (the launcher points
  # SSL_CERT_FILE here): Debian's OpenSSL would look in /usr/lib/ssl, absent on DSM.
  local certs="$sysroot/usr/share/ca-certificates/mozilla"
  ls "$certs"/*.crt >/dev/null 2>&1 || die "no CA certificates in $certs (ca-certificates missing from the sysroot)"
  cat "$certs"/*.crt >"$payload/share/postern/ca-certificates.crt"
  printf 'version=%s\narch=%s\ncommit=%s\n' "$version" "$arch" \
    "$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo none)" >"$payload/share/postern/BUILDINFO"
  # DSM desktop entry (INFO dsmuidir="ui"): config + icons.
  mkdir -p "$payload/ui"
  cp -p "$here/ui/config" "$payload/ui/config"
  cp -pr "$common/ui/images" "$payload/ui/"
  # The admin applet's built files (scripts/build-ui.sh, once before the loop, or POSTERN_UI_DIST).
  if [ -n "${POSTERN_UI_DIST:-}" ]; then
    [ -d "$POSTERN_UI_DIST" ] || die "POSTERN_UI_DIST=$POSTERN_UI_DIST is not a directory"
    mkdir -p "$payload/share/ui"
    cp -pr "$POSTERN_UI_DIST/." "$payload/share/ui/"
  fi

  # package.tgz: top-level names without "./", root-owned, fixed times.
  local tarflags=(--format=gnu --owner=0 --group=0 --numeric-owner --mtime="@$epoch" --sort=name)
  (cd "$payload" && find . -mindepth 1 -maxdepth 1 -printf '%P\n' | LC_ALL=C sort | tar "${tarflags[@]}" -cf - -T -) | gzip -n -9 >"$spkdir/package.tgz"

  # INFO
  local checksum extractsize
  checksum=$(md5sum "$spkdir/package.tgz" | cut -d' ' -f1)
  extractsize=$(du -sk --apparent-size "$payload" | cut -f1)
  {
    grep '^package=' "$common/INFO.base"
    echo "version=\"$version\""
    grep -v '^package=' "$common/INFO.base"
    echo "arch=\"$platforms\""
    echo "extractsize=\"$extractsize\""
    echo "checksum=\"$checksum\""
  } >"$spkdir/INFO"

  cp -pr "$here/scripts" "$here/conf" "$here/WIZARD_UIFILES" "$spkdir/"
  chmod 755 "$spkdir"/scripts/*
  chmod 644 "$spkdir/scripts/functions" "$spkdir"/conf/* "$spkdir"/WIZARD_UIFILES/*
  cp -p "$common/PACKAGE_ICON.PNG" "$common/PACKAGE_ICON_256.PNG" "$spkdir/"
  if [ -f "$repo/LICENSE" ]; then
    cp -p "$repo/LICENSE" "$spkdir/LICENSE"
  else
    cp -p "$here/LICENSE" "$spkdir/LICENSE"
  fi
  [ "$(wc -c <"$spkdir/LICENSE")" -lt 1000000 ] || die "LICENSE must be smaller than 1 MB for DSM"

  local spk="$out/postern-$arch-$version.spk"
  rm -f "$out/postern-$arch-"*.spk
  (cd "$spkdir" && tar "${tarflags[@]}" -cf "$spk" \
    package.tgz INFO scripts conf WIZARD_UIFILES PACKAGE_ICON.PNG PACKAGE_ICON_256.PNG LICENSE)
  local size
  size=$(wc -c <"$spk")
  [ "$size" -le "$max_spk_bytes" ] || die "$spk is $size bytes, over the 15 MB budget"
  t3=$(date +%s)
  note "$arch: $spk ($((size / 1024)) KB); sysroot $((t1 - t0))s, build $((t2 - t1))s, package $((t3 - t2))s"
}

for a in $arches; do
  build_arch "$a"
done
note "done in $(( $(date +%s) - t_all ))s:"
ls -l "$out"/postern-*.spk

#!/usr/bin/python3
"""Copy every shared library an ELF program needs from a sysroot into LIBDIR.

    bundle-libs.py --sysroot DIR --triplet T --libdir OUT [--extra NAME=TARGET]... ELF...

- Follows DT_NEEDED recursively (glibc, libstdc++, libgcc_s, Poco, OpenSSL,
  SQLite, libsodium, libspf2, CivetWeb ...), resolving names the way the
  loader does inside the sysroot: lib/T, usr/lib/T, lib, usr/lib.
- Copies the program interpreter (PT_INTERP, e.g. ld-linux-aarch64.so.1)
  too: the package starts the program through it (see package/payload/bin/postern).
- Each library is stored once, under its SONAME, as a regular file.
- --extra NAME=TARGET adds a symlink LIBDIR/NAME -> TARGET (used for
  libssl.so / libcrypto.so, which CivetWeb dlopen()s by unversioned name).
- Prints the interpreter's file name on stdout (for the launcher).

Uses binutils' readelf, which reads ELF files of any architecture.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys


def readelf(args, path):
    return subprocess.run(["readelf", "-W"] + args + [path], check=True,
                          capture_output=True, text=True).stdout


def needed(path):
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", readelf(["-d", path], path))


def interpreter(path):
    m = re.search(r"\[Requesting program interpreter: ([^\]]+)\]", readelf(["-l", path], path))
    return m.group(1) if m else None


def resolve_in_sysroot(sysroot, path):
    """realpath() of an absolute in-sysroot path, with symlinks kept inside."""
    parts = [p for p in path.split("/") if p]
    cur = ""
    hops = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            cur = os.path.dirname(cur)
            continue
        if part == ".":
            continue
        cand = cur + "/" + part
        full = sysroot + cand
        if os.path.islink(full):
            hops += 1
            if hops > 40:
                raise RuntimeError("symlink loop at " + full)
            target = os.readlink(full)
            if target.startswith("/"):
                cur = ""
            parts = [p for p in target.split("/") if p] + parts
            continue
        cur = cand
    return sysroot + cur


def find_lib(sysroot, triplet, name):
    for d in ("lib/" + triplet, "usr/lib/" + triplet, "lib", "usr/lib"):
        p = os.path.join(sysroot, d, name)
        if os.path.lexists(p):
            real = resolve_in_sysroot(sysroot, "/" + d + "/" + name)
            if os.path.isfile(real):
                return real
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sysroot", required=True)
    ap.add_argument("--triplet", required=True)
    ap.add_argument("--libdir", required=True)
    ap.add_argument("--extra", action="append", default=[])
    ap.add_argument("elf", nargs="+")
    a = ap.parse_args()
    sysroot = os.path.abspath(a.sysroot)
    os.makedirs(a.libdir, exist_ok=True)

    interp = None
    for e in a.elf:
        i = interpreter(e)
        if i:
            if interp and interp != i:
                sys.exit("bundle-libs: programs disagree on the interpreter: %s vs %s" % (interp, i))
            interp = i
    if not interp:
        sys.exit("bundle-libs: %s has no program interpreter (static?)" % a.elf[0])

    todo = list(a.elf)
    done = set()
    copied = {}
    interp_name = os.path.basename(interp)
    src = resolve_in_sysroot(sysroot, interp)
    if not os.path.isfile(src):
        sys.exit("bundle-libs: interpreter %s not found in %s" % (interp, sysroot))
    shutil.copy2(src, os.path.join(a.libdir, interp_name))
    copied[interp_name] = src

    missing = []
    while todo:
        f = todo.pop()
        for name in needed(f):
            if name in done:
                continue
            done.add(name)
            if name == interp_name:
                continue
            src = find_lib(sysroot, a.triplet, name)
            if not src:
                missing.append("%s (needed by %s)" % (name, os.path.basename(f)))
                continue
            dst = os.path.join(a.libdir, name)
            shutil.copy2(src, dst)
            os.chmod(dst, 0o644)
            copied[name] = src
            todo.append(dst)
    if missing:
        sys.exit("bundle-libs: not found in the sysroot: " + ", ".join(sorted(missing)))

    for spec in a.extra:
        name, target = spec.split("=", 1)
        if target not in copied:
            # e.g. libssl.so.3 is not linked directly: bring it (and its deps) in.
            src = find_lib(sysroot, a.triplet, target)
            if not src:
                sys.exit("bundle-libs: %s not found in the sysroot" % target)
            shutil.copy2(src, os.path.join(a.libdir, target))
            copied[target] = src
            for dep in needed(os.path.join(a.libdir, target)):
                if dep not in copied and dep != interp_name:
                    s = find_lib(sysroot, a.triplet, dep)
                    if not s:
                        sys.exit("bundle-libs: %s not found in the sysroot" % dep)
                    shutil.copy2(s, os.path.join(a.libdir, dep))
                    copied[dep] = s
        link = os.path.join(a.libdir, name)
        if os.path.lexists(link):
            os.unlink(link)
        os.symlink(target, link)

    for name in sorted(copied):
        print("bundle-libs: %-28s <- %s" % (name, os.path.relpath(copied[name], sysroot)),
              file=sys.stderr)
    print(interp_name)


if __name__ == "__main__":
    main()

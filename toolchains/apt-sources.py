#!/usr/bin/python3
"""Print this machine's Debian apt sources as one-line "deb ..." entries.

mmdebstrap needs mirrors for the sysroots. We never write a mirror host into
the repository: the sysroots are made from whatever this machine's apt is set
up to use (a local mirror, a proxy, a snapshot...), read here at run time from
/etc/apt/sources.list and /etc/apt/sources.list.d/*.list|*.sources (both the
one-line and the deb822 formats).

Only entries for the given Debian codename are kept (CODENAME, CODENAME-updates,
CODENAME-security, main component); third-party repositories (nodesource, cloud
SDKs...) are dropped because they have nothing to do with a Debian sysroot.

usage: apt-sources.py [--codename bookworm] [--no-security] [--root /]
"""
import argparse
import glob
import os
import re
import sys


def parse_one_line(text):
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        m = re.match(r"^(deb|deb-src)\s+(\[[^\]]*\]\s+)?(\S+)\s+(\S+)\s*(.*)$", line)
        if not m:
            continue
        opts = {}
        if m.group(2):
            for kv in m.group(2).strip()[1:-1].split():
                if "=" in kv:
                    k, v = kv.split("=", 1)
                    opts[k.lower()] = v
        yield {
            "types": [m.group(1)],
            "uris": [m.group(3)],
            "suites": [m.group(4)],
            "components": m.group(5).split(),
            "signed-by": opts.get("signed-by"),
            "enabled": True,
        }


def parse_deb822(text):
    stanzas, cur, key = [], {}, None
    for raw in text.splitlines() + [""]:
        if raw.startswith("#"):
            continue
        if not raw.strip():
            if cur:
                stanzas.append(cur)
            cur, key = {}, None
            continue
        if raw[0] in " \t" and key:  # continuation line (e.g. an inline key)
            cur[key] += "\n" + raw.strip()
            continue
        if ":" in raw:
            key, val = raw.split(":", 1)
            key = key.strip().lower()
            cur[key] = val.strip()
    for st in stanzas:
        signed = st.get("signed-by")
        # An inline armoured key cannot be passed in a one-line entry; such
        # sources fall back to the default keyring (Debian's own keys).
        if signed and "\n" in signed:
            signed = None
        yield {
            "types": st.get("types", "").split(),
            "uris": st.get("uris", "").split(),
            "suites": st.get("suites", "").split(),
            "components": st.get("components", "").split(),
            "signed-by": signed,
            "enabled": st.get("enabled", "yes").lower() not in ("no", "false", "0"),
        }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--codename", default="bookworm")
    ap.add_argument("--no-security", action="store_true",
                    help="leave out the CODENAME-security suite")
    ap.add_argument("--root", default="/", help="read ROOT/etc/apt (tests)")
    args = ap.parse_args()

    etc = os.path.join(args.root, "etc/apt")
    entries = []
    files = [os.path.join(etc, "sources.list")]
    files += sorted(glob.glob(os.path.join(etc, "sources.list.d", "*.list")))
    deb822 = sorted(glob.glob(os.path.join(etc, "sources.list.d", "*.sources")))
    for f in files:
        if os.path.isfile(f):
            with open(f, encoding="utf-8", errors="replace") as fh:
                entries += list(parse_one_line(fh.read()))
    for f in deb822:
        with open(f, encoding="utf-8", errors="replace") as fh:
            entries += list(parse_deb822(fh.read()))

    wanted = {args.codename, args.codename + "-updates"}
    if not args.no_security:
        wanted.add(args.codename + "-security")
    seen, out = set(), []
    for e in entries:
        if not e["enabled"] or "deb" not in e["types"]:
            continue
        if "main" not in e["components"]:
            continue
        for uri in e["uris"]:
            for suite in e["suites"]:
                if suite not in wanted:
                    continue
                opt = "[signed-by=%s] " % e["signed-by"] if e["signed-by"] else ""
                line = "deb %s%s %s main" % (opt, uri, suite)
                if line not in seen:
                    seen.add(line)
                    out.append(line)
    if not any((" %s main" % args.codename) in l for l in out):
        sys.exit("apt-sources.py: no '%s' main entry in %s/sources.list(.d); "
                 "configure apt for Debian %s first" % (args.codename, etc, args.codename))
    print("\n".join(out))


if __name__ == "__main__":
    main()

"""Shared helpers and fixtures for the Synology package tests (see conftest.py).

The packages are read from $POSTERN_SPK_DIR (default build/spk), one
postern-ARCH-VERSION.spk per architecture, as package/build-spks.sh writes
them.  A missing package is a test failure, not a skip: CI must not go green
because the build step silently produced nothing.

$POSTERN_SPK_ARCHES limits the architectures (default: all three).
"""
import io
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SPK_DIR = Path(os.environ.get("POSTERN_SPK_DIR", ROOT / "build" / "spk"))
ARCHES = os.environ.get("POSTERN_SPK_ARCHES", "x86_64 aarch64 armv7").split()

# qemu-user program per architecture (None: runs natively on the CI machine).
EMULATOR = {"x86_64": None, "aarch64": "qemu-aarch64", "armv7": "qemu-arm"}
# ELF e_machine values.
ELF_MACHINE = {"x86_64": 62, "aarch64": 183, "armv7": 40}
LOADER = {"x86_64": "ld-linux-x86-64.so.2", "aarch64": "ld-linux-aarch64.so.1",
          "armv7": "ld-linux-armhf.so.3"}
# A DSM platform of each architecture, for SYNOPKG_DSM_ARCH.
DSM_PLATFORM = {"x86_64": "geminilake", "aarch64": "rtd1296", "armv7": "armada38x"}

# Listeners: settings key -> default port (README / settings registry).
LISTENERS = {"smtp": 2525, "submission": 2587, "submissions": 2465,
             "imap": 2143, "imaps": 2993, "admin": 2443}


def spk_path(arch):
    found = sorted(SPK_DIR.glob(f"postern-{arch}-*.spk"))
    if not found:
        pytest.fail(f"no {arch} package (postern-{arch}-*.spk) in {SPK_DIR}: "
                    f"build the packages first with package/build-spks.sh, "
                    f"or point POSTERN_SPK_DIR at them", pytrace=False)
    if len(found) > 1:
        pytest.fail(f"several {arch} packages in {SPK_DIR}: {[p.name for p in found]}", pytrace=False)
    return found[0]


class Spk:
    """One .spk, read with Python's tarfile (independently of the build script)."""

    def __init__(self, arch, path):
        self.arch = arch
        self.path = path
        with tarfile.open(path, "r:") as t:
            self.members = t.getmembers()
            self.files = {m.name: (t.extractfile(m).read() if m.isfile() else None)
                          for m in self.members}
        self.info = parse_info(self.files["INFO"].decode("utf-8"))
        with tarfile.open(fileobj=io.BytesIO(self.files["package.tgz"]), mode="r:gz") as t:
            self.payload_members = {m.name: m for m in t.getmembers()}
            self.payload = {m.name: t.extractfile(m).read()
                            for m in t.getmembers() if m.isfile()}

    def member(self, name):
        for m in self.members:
            if m.name == name:
                return m
        raise KeyError(name)


def parse_info(text):
    info = {}
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        assert sep and value.startswith('"') and value.endswith('"'), \
            f"INFO line {n} is not key=\"value\": {line!r}"
        assert key not in info, f"INFO sets {key} twice"
        info[key] = value[1:-1]
    return info


@pytest.fixture(scope="session", params=ARCHES)
def spk(request):
    return Spk(request.param, spk_path(request.param))


# --- running things as a non-root user ------------------------------------------------

def user_prefix():
    """DSM runs package scripts as the package user.  When the tests run as root
    (CI does), drop to 'nobody' so that anything needing root fails here too."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]


def give_to_test_user(path):
    if os.geteuid() == 0:
        subprocess.run(["chown", "-R", "65534:65534", str(path)], check=True)


def make_world_dir(prefix):
    """A temporary folder outside pytest's root-only tmp tree, reachable by 'nobody'."""
    d = Path(tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("POSTERN_TEST_TMP", "/tmp")))
    d.chmod(0o755)
    return d


def extract_payload(spk_obj, dest):
    """Unpack package.tgz like DSM does (as root, then owned by the package user)."""
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(spk_obj.files["package.tgz"]), mode="r:gz") as t:
        t.extractall(dest)  # our own archive, already checked by test_structure
    return dest


_next_port = [None]


def free_port():
    """A free loopback port from a range the e2e suite (20000+) and its DNS servers
    (10000+) do not use, below the kernel's ephemeral ports (32768+); each pytest-xdist
    worker gets its own 1000 ports so parallel runs never race."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker.startswith("gw") else 0
    base = 12000 + (index % 8) * 1000
    if _next_port[0] is None:
        _next_port[0] = base
    while _next_port[0] < base + 999:
        _next_port[0] += 1
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", _next_port[0]))
                return _next_port[0]
            except OSError:
                continue
    raise RuntimeError(f"no free port between {base} and {base + 999}")


def emulator_available(arch):
    emu = EMULATOR[arch]
    if emu and not shutil.which(emu):
        pytest.fail(f"{emu} is missing: install qemu-user (toolchains/install-build-deps.sh)",
                    pytrace=False)
    return emu


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Lets fixtures see whether their test failed (to keep its files for a look)."""
    outcome = yield
    rep = outcome.get_result()
    if rep.when == "call" and rep.failed:
        item.rep_failed = True

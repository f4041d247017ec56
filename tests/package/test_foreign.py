"""The aarch64 and armv7 packages really work: their bundled daemon, run under
qemu-user straight from the unpacked package (bundled loader and libraries,
nothing from the build machine), receives a message over SMTP on loopback
and stores it in the Maildir."""
import os
import signal
import smtplib
import subprocess
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest

from spktest import (ARCHES, EMULATOR, LISTENERS, LOADER, emulator_available, extract_payload,
                      free_port, give_to_test_user, make_world_dir, spk_path, Spk, user_prefix)

FOREIGN = [a for a in ARCHES if EMULATOR[a]]
TRIPLET_DIR = {"aarch64": "aarch64-linux-gnu", "armv7": "arm-linux-gnueabihf"}


@pytest.fixture
def unpacked_foreign(request):
    arch = request.param
    emulator_available(arch)
    base = make_world_dir(f"postern-{arch}-")
    target = extract_payload(Spk(arch, spk_path(arch)), base / "target")
    data = base / "var"
    data.mkdir()
    give_to_test_user(base)
    procs = []
    yield arch, target, data, procs
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait(timeout=30)
    import shutil
    shutil.rmtree(base, ignore_errors=True)


def run(arch, target, *args, input=None):
    env = {"PATH": os.environ["PATH"], "POSTERN_EMULATOR": EMULATOR[arch], "LANG": "C.UTF-8"}
    r = subprocess.run(user_prefix() + [str(target / "bin" / "postern"), *args], env=env,
                       input=input, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, f"postern {' '.join(args)}: exit {r.returncode}: {r.stderr}"
    return r.stdout


@pytest.mark.parametrize("unpacked_foreign", FOREIGN, indirect=True)
def test_foreign_daemon_delivers_a_message(unpacked_foreign):
    arch, target, data, procs = unpacked_foreign
    if Path(f"/lib/{TRIPLET_DIR[arch]}/libc.so.6").exists():
        # then a missing bundled library could be hidden by the host's copy
        pytest.fail(f"/lib/{TRIPLET_DIR[arch]} exists on this machine; the test would not prove "
                    "that the package carries all its libraries", pytrace=False)
    dd = ["--data-dir", str(data)]
    run(arch, target, "migrate", *dd)
    for svc, port in LISTENERS.items():
        assert run(arch, target, "config", *dd, "get", f"{svc}.listen").strip().endswith(f":{port}")
    ports = {svc: free_port() for svc in LISTENERS}
    words = []
    for svc, port in ports.items():
        words += [f"{svc}.listen", f"127.0.0.1:{port}"]
    run(arch, target, "config", *dd, "set", "smtp.hostname", "mail.example.test", *words)
    run(arch, target, "domain", *dd, "add", "example.test")
    run(arch, target, "user", *dd, "add", "alice@example.test", "--password-stdin",
        input="alice-password-1\n")

    env = {"PATH": os.environ["PATH"], "POSTERN_EMULATOR": EMULATOR[arch], "LANG": "C.UTF-8"}
    out = open(data.parent / "serve.out", "w")
    proc = subprocess.Popen(user_prefix() + [str(target / "bin" / "postern"), "serve", *dd],
                            env=env, stdout=out, stderr=subprocess.STDOUT)
    procs.append(proc)

    # it runs through the bundled loader, under the emulator
    cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
    deadline = time.time() + 5
    while not any(LOADER[arch].encode() in a for a in cmdline) and time.time() < deadline:
        time.sleep(0.1)
        cmdline = Path(f"/proc/{proc.pid}/cmdline").read_bytes().split(b"\0")
    assert any(EMULATOR[arch].encode() in a for a in cmdline), cmdline
    assert str(target / "lib" / LOADER[arch]).encode() in cmdline, cmdline

    subject = f"hello from {arch} {uuid.uuid4()}"
    deadline = time.time() + 120        # emulated start-up is slow
    while True:
        assert proc.poll() is None, "daemon exited: " + (data.parent / "serve.out").read_text()
        try:
            c = smtplib.SMTP("127.0.0.1", ports["smtp"], timeout=60)
            break
        except OSError:
            if time.time() > deadline:
                raise AssertionError("daemon never listened: " + (data.parent / "serve.out").read_text())
            time.sleep(0.5)
    with c:
        c.ehlo("client.test")
        msg = EmailMessage()
        msg["From"] = "sender@elsewhere.test"
        msg["To"] = "alice@example.test"
        msg["Subject"] = subject
        msg.set_content(f"delivered by the {arch} package under qemu\n")
        assert c.send_message(msg) == {}

    box = data / "mail" / "example.test" / "alice" / "new"
    deadline = time.time() + 120
    found = None
    while found is None and time.time() < deadline:
        assert proc.poll() is None, "daemon exited: " + (data.parent / "serve.out").read_text()
        for f in (box.iterdir() if box.is_dir() else []):
            if subject.encode() in f.read_bytes():
                found = f
        time.sleep(0.2)
    assert found, f"message not in {box}: " + (data.parent / "serve.out").read_text()
    assert b"under qemu" in found.read_bytes()

    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0, "no graceful stop on SIGTERM: " + \
        (data.parent / "serve.out").read_text()

"""Durability across restarts and crashes, clean shutdown, and concurrent clients."""
import os
import signal
import socket
import subprocess
import threading
import time

import pytest

from conftest import LAN_IP, OUTSIDE_IP


def test_remote_mail_survives_sigterm_and_restart(mailserver):
    d = mailserver()
    with d.smtp(source=LAN_IP) as c:
        c.ehlo("printer.lan")
        assert c.sendmail("scanner@example.test", ["friend@remote.test"], b"Subject: keep me\r\n\r\nx\r\n") == {}
    before = [l for l in d.queue_list() if "route=remote" in l]
    assert len(before) == 1 and "<friend@remote.test>" in before[0]
    assert d.stop() == 0

    def ids():
        return [(l.split()[0], l.split(" -> ")[1].split()[0]) for l in d.queue_list() if "route=remote" in l]
    want = [(before[0].split()[0], "<friend@remote.test>")]
    assert ids() == want
    d.start()
    assert ids() == want


def test_sigterm_tells_idle_client_and_exits_zero(mailserver):
    d = mailserver()
    c = d.raw(source=OUTSIDE_IP)
    with c:
        c.ehlo()
        d.proc.send_signal(signal.SIGTERM)
        code, text = c.reply()
        assert (code, text[4:9]) == (421, "4.3.2"), text
        assert c.read_to_close() == b""
    assert d.proc.wait(timeout=30) == 0
    d.wait_log("postern.log", r"postern stopped")


def test_sigterm_refuses_new_connections_promptly(mailserver):
    d = mailserver()
    assert d.stop(timeout=30) == 0
    try:
        socket.create_connection(("127.0.0.1", d.ports["smtp"]), timeout=2).close()
        raise AssertionError("still accepting connections after exit")
    except OSError:
        pass


def test_sigterm_lets_message_in_progress_finish(mailserver):
    """A client in the middle of DATA is not cut off: its message is accepted and kept."""
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        assert c.cmd("RCPT TO:<friend@remote.test>")[0] == 554  # outside: no relay
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send(b"Subject: during shutdown\r\n\r\nfirst half\r\n")
        d.proc.send_signal(signal.SIGTERM)
        d.wait_log("postern.log", r"stopping")
        c.send(b"second half\r\n.\r\n")
        code, text = c.reply()
        assert code == 250, text
    assert d.proc.wait(timeout=60) == 0
    d.start()
    [stored] = d.wait_messages("alice@example.test", 1)
    assert b"first half\r\nsecond half\r\n" in stored


def test_sigkill_after_250_loses_nothing(mailserver):
    d = mailserver()
    subjects = []
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        for i in range(5):
            subjects.append(f"crash-{i}")
            c.send(f"MAIL FROM:<x@elsewhere.test>\r\nRCPT TO:<alice@example.test>\r\nRCPT TO:<friend@remote.test>\r\n"
                   f"RCPT TO:<bob@example.test>\r\nDATA\r\n")
            assert [c.reply()[0] for _ in range(5)] == [250, 250, 554, 250, 354]
            c.send(f"Subject: crash-{i}\r\n\r\nbody {i}\r\n.\r\n")
            code, text = c.reply()
            assert code == 250, text
        d.proc.kill()  # immediately after the last 250
        d.proc.wait(timeout=30)
    d.start()
    deadline = time.time() + 30
    for who in ("alice@example.test", "bob@example.test"):
        while True:
            msgs = d.messages(who)
            missing = [s for s in subjects if not any(f"Subject: {s}\r\n".encode() in m for m in msgs)]
            if not missing:
                break
            assert time.time() < deadline, f"{who}: acknowledged messages lost: {missing}"
            time.sleep(0.1)
    d.wait_queue_empty()


def test_sigkill_keeps_queued_remote_mail(mailserver):
    d = mailserver()
    with d.smtp(source=LAN_IP) as c:
        c.ehlo("printer.lan")
        c.sendmail("scanner@example.test", ["friend@remote.test"], b"Subject: k\r\n\r\nx\r\n")
    d.kill()
    lines = d.queue_list()
    assert len(lines) == 1 and "route=remote" in lines[0]
    d.start()
    assert len(d.queue_list()) == 1


def test_concurrent_clients_each_message_exactly_once(mailserver):
    d = mailserver()
    threads, per_thread = 6, 5
    acknowledged, errors = [], []
    lock = threading.Lock()

    def client(n):
        try:
            with d.smtp(source=OUTSIDE_IP) as c:
                c.ehlo(f"client{n}.test")
                for i in range(per_thread):
                    tag = f"t{n}-m{i}"
                    refused = c.sendmail(f"c{n}@elsewhere.test", ["alice@example.test", "bob@example.test"],
                                         f"Subject: {tag}\r\n\r\nbody of {tag}\r\n".encode())
                    if refused == {}:
                        with lock:
                            acknowledged.append(tag)
        except Exception as e:  # noqa: BLE001 - reported below
            with lock:
                errors.append(repr(e))

    pool = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(timeout=120)
    assert errors == []
    assert len(acknowledged) == threads * per_thread
    for who in ("alice@example.test", "bob@example.test"):
        msgs = d.wait_messages(who, len(acknowledged), timeout=60)
        seen = {}
        for m in msgs:
            subject = m.split(b"Subject: ", 1)[1].split(b"\r\n", 1)[0].decode()
            seen[subject] = seen.get(subject, 0) + 1
        assert seen == {tag: 1 for tag in acknowledged}, who


def test_restart_keeps_users_and_settings(mailserver):
    d = mailserver(smtp__banner="Restarted ESMTP")
    assert d.stop() == 0
    d.start()
    with socket.create_connection(("127.0.0.1", d.ports["smtp"]), timeout=10) as s:
        assert s.makefile("rb").readline() == b"220 mail.example.test Restarted ESMTP\r\n"
    with d.smtp("submissions") as c:
        c.ehlo("x")
        assert c.login("alice@example.test", "alice-secret-1")[0] == 235


def test_sigterm_tells_idle_tls_client(mailserver):
    d = mailserver()
    with d.raw_tls("submissions", source=OUTSIDE_IP) as c:
        c.ehlo()
        d.proc.send_signal(signal.SIGTERM)
        code, text = c.reply()
        assert (code, text[4:9]) == (421, "4.3.2"), text
    assert d.proc.wait(timeout=30) == 0


def _accepted_by(pid, client):
    """True when the server side of `client`'s connection is an open file of process `pid`."""
    cport = client.getsockname()[1]
    sport = client.getpeername()[1]
    inodes = set()
    for line in open("/proc/net/tcp").read().splitlines()[1:]:
        f = line.split()
        if int(f[1].split(":")[1], 16) == sport and int(f[2].split(":")[1], 16) == cport:
            inodes.add(f[9])
    fds = set()
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            fds.add(os.readlink(f"/proc/{pid}/fd/{fd}"))
        except OSError:
            pass
    return any(f"socket:[{i}]" in fds for i in inodes if i != "0")


@pytest.mark.parametrize("how", ["implicit", "starttls"])
def test_sigterm_not_held_up_by_client_stalled_in_tls_handshake(mailserver, how):
    """A client that opens a TLS handshake and goes silent must not delay shutdown (an admin
    stopping the package waits for it; anyone on the Internet can do this)."""
    d = mailserver()
    if how == "implicit":
        stalled = socket.create_connection(("127.0.0.1", d.ports["submissions"]), timeout=10)
        deadline = time.time() + 10
        while not _accepted_by(d.proc.pid, stalled):  # make sure the daemon holds it, not the backlog
            assert time.time() < deadline, "connection never accepted"
            time.sleep(0.02)
    else:
        c = d.raw("smtp", source=OUTSIDE_IP)
        c.ehlo()
        assert c.cmd("STARTTLS")[0] == 220
        stalled = c.sock
    with stalled:
        d.proc.send_signal(signal.SIGTERM)
        start = time.monotonic()
        try:
            rc = d.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            raise AssertionError("daemon still running 15 s after SIGTERM")
        assert rc == 0
        assert time.monotonic() - start < 15

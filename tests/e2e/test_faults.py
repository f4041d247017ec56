"""Faults a NAS meets: damaged database files, a full disk, clients that trickle one byte
a second. Each gets a clear answer, and nothing acknowledged is lost."""
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

from conftest import BIN, LAN_IP, OUTSIDE_IP, Daemon, assert_no_sanitizer_report, seed_tls


# --- damaged or foreign database files ---------------------------------------------------
@pytest.mark.parametrize("victim", ["postern.db", "queue/queue.db"])
def test_a_damaged_database_is_a_clear_start_up_error(daemon_factory, victim):
    d = daemon_factory(start=False)
    d.add_domain("example.test")
    path = d.data_dir / victim
    if not path.exists():  # queue.db is made at the first start
        d.start()
        d.stop()
    for leftover in path.parent.glob(path.name + "-*"):  # WAL and shared-memory files
        leftover.unlink()
    path.write_bytes(b"this is not an SQLite database\n" * 200)
    res = subprocess.run([str(BIN), "serve", "--data-dir", str(d.data_dir)], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 1, (res.returncode, res.stderr)  # an error exit, not a signal
    assert str(path) in res.stderr and "backup" in res.stderr, res.stderr
    assert "cannot be used" in d.log("postern.log")


def test_a_database_path_that_is_a_directory_is_a_clear_error(daemon_factory):
    d = daemon_factory(start=False)
    d.add_domain("example.test")
    (d.data_dir / "queue").mkdir(exist_ok=True)
    for leftover in (d.data_dir / "queue").glob("queue.db*"):  # the CLI may have made it
        leftover.unlink()
    (d.data_dir / "queue" / "queue.db").mkdir()
    res = subprocess.run([str(BIN), "serve", "--data-dir", str(d.data_dir)], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode == 1, (res.returncode, res.stderr)
    assert "queue.db" in res.stderr, res.stderr


# --- a full disk ----------------------------------------------------------------------
class SmallDisk:
    """A 24 MiB tmpfs mounted in a private mount namespace held by a sleeping process, and
    reached from here through /proc/PID/root: nothing is mounted on the machine itself, and
    the mount disappears with the process."""

    def __init__(self, size_mb=24):
        self.size_mb = size_mb

    def __enter__(self):
        self.mountpoint = Path("/tmp") / f"postern-small-disk-{id(self)}"
        self.mountpoint.mkdir(exist_ok=True)
        self.proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c",
             f"mount -t tmpfs -o size={self.size_mb}m,mode=0700 tmpfs {self.mountpoint} && echo ready && exec sleep 3600"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if self.proc.stdout.readline().strip() != "ready":
            self.proc.kill()
            pytest.skip("cannot mount a tmpfs in a private namespace here: " + self.proc.stderr.read())
        self.root = Path(f"/proc/{self.proc.pid}/root") / str(self.mountpoint).lstrip("/")
        return self

    def daemon(self):
        """A Daemon whose postern runs inside the namespace (SQLite resolves /proc/PID/root
        back to this namespace's view, so it must) and whose files are read from here."""
        disk = self

        class OnSmallDisk(Daemon):
            argv_prefix = ["nsenter", "-t", str(disk.proc.pid), "-m"]

            @property
            def data_arg(self):
                return str(disk.mountpoint / "data")

        return OnSmallDisk(self.root / "data")

    def fill(self):
        """Takes every free byte; returns the file to remove to give them back."""
        filler = self.root / "filler"
        with open(filler, "wb") as f:
            try:
                while True:
                    f.write(b"\0" * (1 << 20))
                    f.flush()
            except OSError:
                pass
        return filler

    def __exit__(self, *exc):
        self.proc.kill()
        self.proc.wait()
        self.mountpoint.rmdir()


def _send_at(d, marker, rcpt="alice@example.test", source=OUTSIDE_IP):
    """(stage, code, text): the reply that ended the transaction and where it came."""
    with d.raw(source=source) as c:
        c.ehlo()
        code, text = c.cmd("MAIL FROM:<someone@elsewhere.test>")
        if code != 250:
            return "MAIL", code, text
        assert c.cmd(f"RCPT TO:<{rcpt}>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send(f"Subject: {marker}\r\nMessage-ID: <{marker}@test>\r\n\r\n".encode() + (b"x" * 998 + b"\r\n") * 200 + b".\r\n")
        return ("DATA", *c.reply())


def _send(d, marker, **how):
    return _send_at(d, marker, **how)[1:]


@pytest.mark.parametrize("min_free_mb, refused_at", [(1, "MAIL"), (0, "DATA")])
def test_a_full_disk_answers_452_and_loses_nothing(min_free_mb, refused_at):
    """With queue.min_free_mb the refusal comes at MAIL; without it, when the queue write
    itself fails at the end of DATA. Either way mail accepted before stays queued while the
    runner keeps failing to write its retries, and the daemon carries on once there is room."""
    with SmallDisk() as disk:
        d = disk.daemon()
        seed_tls(d.data_dir)
        d.assign_ports()
        d.hold_remote()  # remote mail retries every second against a smart host that refuses
        d.set(network__lan="127.0.0.2/32", smtp__hostname="mail.example.test", queue__min_free_mb=min_free_mb,
              queue__retry_min_s=1, queue__retry_max_s=1)
        d.add_domain("example.test")
        d.add_user("alice@example.test", "alice-secret-1")
        d.start()
        try:
            code, text = _send(d, "before", rcpt="someone@remote.test", source=LAN_IP)
            assert code == 250, text
            queue_id = text.split()[-1]
            filler = disk.fill()
            stage, code, text = _send_at(d, "while-full")
            assert (stage, code, text[4:9]) == (refused_at, 452, "4.3.1"), text
            time.sleep(2)  # retries of the queued message meet the full disk meanwhile
            filler.unlink()
            assert d.proc.poll() is None, d.output()
            code, text = _send(d, "after")
            assert code == 250, text
            [msg] = d.wait_messages("alice@example.test", 1, timeout=60)
            assert b"Subject: after" in msg
            assert any(queue_id in line for line in d.queue_list()), d.queue_list()
        finally:
            d.kill()
            assert_no_sanitizer_report(d.output(), "postern serve on the small disk")


# --- slow clients ---------------------------------------------------------------------
def test_clients_trickling_a_byte_a_second_time_out_without_starving_others(mailserver):
    d = mailserver(smtp__max_connections=4, smtp__command_timeout_s=5)
    results = {}

    def trickle(n):
        s = socket.create_connection(("127.0.0.1", d.ports["smtp"]), source_address=(OUTSIDE_IP, 0), timeout=60)
        s.recv(512)
        line = b"EHLO a-very-long-client-name-sent-one-byte-a-second.example.test\r\n"
        got = b""
        for i, byte in enumerate(line):
            try:
                s.sendall(bytes([byte]))
            except OSError:
                break
            s.settimeout(1)
            try:
                chunk = s.recv(512)
                if not chunk:
                    break
                got += chunk
            except socket.timeout:
                pass
            except OSError:  # reset after the 421: the reply is already in `got`
                break
        results[n] = (i, got)
        s.close()

    slow = [threading.Thread(target=trickle, args=(n,)) for n in range(3)]
    for t in slow:
        t.start()
    time.sleep(1)
    # The fourth slot still serves a normal client while three trickle.
    assert _send(d, "meanwhile")[0] == 250
    for t in slow:
        t.join()
    for sent, reply in results.values():
        # Cut off by the command timeout long before the 66-byte line was complete.
        assert reply.startswith(b"421 4.4.2"), reply
        assert sent < 60
    assert _send(d, "afterwards")[0] == 250
    assert len(d.wait_messages("alice@example.test", 2)) == 2

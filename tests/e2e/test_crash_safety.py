"""Crash safety: under SMTP load the daemon is killed with SIGKILL at random moments and
started again, 20 times. Every message that got its 250 after DATA must end up delivered:
exactly once in the local Maildir, at least once at a remote sink.

Remote delivery cannot be exactly once: between the next hop's 250 and the commit that
records it, a crash makes Postern send the message again (RFC 1047's duplicate window, the
same in every MTA). The test bounds those duplicates by what can be in flight at a kill."""
import random
import re
import smtplib
import threading
import time
import uuid
from collections import Counter

import pytest

from peers import SmtpSink, have_smtp_sink, outbound_daemon

KILLS = 20
SENDERS = 4
MESSAGE_ID = re.compile(rb"^Message-ID: (<[^>]+>)", re.M | re.I)


class Load:
    """SENDERS threads sending one message per transaction over kept-open connections;
    `acked` holds the Message-IDs that got a 250 after DATA, `tried` every one sent."""

    def __init__(self, daemon, rcpt):
        self.daemon, self.rcpt = daemon, rcpt
        self.acked, self.tried = set(), set()
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(SENDERS)]

    def _run(self):
        client = None
        while not self.stop.is_set():
            marker = f"<{uuid.uuid4().hex}@load.test>"
            try:
                if client is None:
                    client = smtplib.SMTP("127.0.0.1", self.daemon.ports["smtp"], timeout=10)
                    client.ehlo("load.test")
                with self.lock:
                    self.tried.add(marker)
                client.sendmail("load@example.test", [self.rcpt],
                                f"Message-ID: {marker}\r\nSubject: crash test\r\n\r\nbody {marker}\r\n")
                with self.lock:
                    self.acked.add(marker)
            except (OSError, smtplib.SMTPException):
                client = None  # killed meanwhile: this message was not acknowledged
                time.sleep(0.05)
        if client is not None:
            try:
                client.quit()
            except (OSError, smtplib.SMTPException):
                pass

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(timeout=30)


def kill_and_restart_under_load(daemon, load, rng):
    for _ in range(KILLS):
        time.sleep(rng.uniform(0.1, 0.8))
        daemon.kill()
        daemon.start()
    time.sleep(0.5)  # some load after the last restart too


def count_ids(messages):
    ids = Counter()
    for m in messages:
        found = MESSAGE_ID.search(m)
        if found:
            ids[found.group(1).decode()] += 1
    return ids


class MaildirReader:
    """Moves what arrives in new/ to cur/ with flags, as a mail client does through IMAP (a
    user reads one message, flags another...), so a repeated delivery can neither hide by
    overwriting its own file in new/ nor be overwritten by the move."""

    def __init__(self, maildir):
        self.new, self.cur = maildir / "new", maildir / "cur"
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        moved = 0
        while not self.stop.wait(0.005):
            for f in (self.new.iterdir() if self.new.exists() else []):
                moved += 1
                try:
                    f.rename(self.cur / (f.name + ":2," + ("S", "FS", "RS", "ST")[moved % 4]))
                except FileNotFoundError:
                    pass

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()


def test_local_delivery_is_exactly_once_across_kills(server):
    rng = random.Random()
    maildir = server.mailbox("alice@example.test").parent
    with MaildirReader(maildir):
        with Load(server, "alice@example.test") as load:
            kill_and_restart_under_load(server, load, rng)
        server.wait_queue_empty(timeout=120)
    assert len(load.acked) > KILLS, "the load did not get through"
    delivered = count_ids([f.read_bytes() for sub in ("new", "cur") for f in (maildir / sub).iterdir()])
    lost = [m for m in load.acked if delivered[m] == 0]
    doubled = {m: n for m, n in delivered.items() if n > 1}
    unknown = set(delivered) - load.tried
    assert not lost, f"{len(lost)} acknowledged message(s) lost of {len(load.acked)}"
    assert not doubled, f"delivered more than once: {doubled}"
    assert not unknown


@pytest.mark.skipif(not have_smtp_sink(), reason="smtp-sink (package postfix) is not installed")
def test_outbound_delivery_loses_nothing_across_kills(daemon_factory):
    rng = random.Random()
    with SmtpSink() as sink:
        d = outbound_daemon(daemon_factory, delivery__smarthost_port=sink.port,
                            delivery__smarthost_tls="opportunistic", delivery__smarthost_verify="false",
                            queue__retry_min_s=1, queue__retry_max_s=2)
        with Load(d, "someone@remote.test") as load:
            kill_and_restart_under_load(d, load, rng)
        assert len(load.acked) > KILLS, "the load did not get through"
        d.wait_queue_empty(timeout=180)
        delivered = count_ids(sink.messages())
        lost = [m for m in load.acked if delivered[m] == 0]
        assert not lost, f"{len(lost)} acknowledged message(s) lost of {len(load.acked)}"
        assert not set(delivered) - load.tried
        # A kill can repeat at most what was sent and not yet recorded: the runner's tasks
        # in flight (16 messages each, per_destination_concurrency of them).
        duplicates = sum(n - 1 for n in delivered.values() if n > 1)
        assert duplicates <= KILLS * 16 * 4, f"{duplicates} duplicates"

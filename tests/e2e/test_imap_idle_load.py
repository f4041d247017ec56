"""Load: 1,000 IMAP sessions open at once, all logged in, most of them in IDLE. Every one
stays served: each idler of the mailbox hears of a message delivered over SMTP, a new
session still logs in and reads it, and every session answers its next command. The
daemon's resident memory stays within 64 MB (measured only on a build without
AddressSanitizer, whose shadow memory and quarantine inflate it)."""
import asyncio
import os
import resource
import smtplib

import pytest

from conftest import BIN, LAN_IP
from imap_helpers import ALICE, BOB, connect, imap_daemon

SESSIONS = 1000
IDLERS = 800          # the others sit in the selected INBOX without IDLE
RSS_LIMIT_KB = 64 * 1024
TIMEOUT = 600         # bound for each phase on a loaded machine; not a measure


def sanitized(binary):
    """Whether the binary is built with AddressSanitizer (or another sanitizer with shadow
    memory): its runtime's entry points are in the symbol tables either way."""
    data = binary.read_bytes()
    return any(sym in data for sym in (b"__asan_init", b"__msan_init", b"__tsan_init", b"__hwasan_init"))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")


class Session:
    def __init__(self, n, user):
        self.n, self.user, self.tag = n, user, 0

    async def open(self, port):
        self.r, self.w = await asyncio.open_connection("127.0.0.1", port, local_addr=(LAN_IP, 0))
        greeting = await self.r.readline()
        assert greeting.startswith(b"* OK"), (self.n, greeting)

    async def cmd(self, text):
        self.tag += 1
        tag = f"s{self.n}t{self.tag}".encode()
        self.w.write(tag + b" " + text.encode() + b"\r\n")
        lines = []
        while True:
            line = await self.r.readline()
            assert line, (self.n, text, "connection closed", lines)
            lines.append(line)
            if line.startswith(tag + b" "):
                assert line.startswith(tag + b" OK"), (self.n, text, line)
                return lines

    async def idle(self):
        self.tag += 1
        self.idle_tag = f"s{self.n}t{self.tag}".encode()
        self.w.write(self.idle_tag + b" IDLE\r\n")
        line = await self.r.readline()
        assert line.startswith(b"+ "), (self.n, line)

    async def hears(self, what):
        while True:
            line = await self.r.readline()
            assert line, (self.n, "connection closed in IDLE")
            if what in line:
                return

    async def done(self):
        self.w.write(b"DONE\r\n")
        while True:
            line = await self.r.readline()
            assert line, (self.n, "connection closed after DONE")
            if line.startswith(self.idle_tag + b" "):
                assert line.startswith(self.idle_tag + b" OK"), (self.n, line)
                return


async def gather_all(coros, limit=100):
    """Runs the coroutines, at most `limit` at a time (the logins' password checks queue up
    in the daemon anyway), and raises the first failure."""
    gate = asyncio.Semaphore(limit)

    async def one(c):
        async with gate:
            return await c

    return await asyncio.wait_for(asyncio.gather(*(one(c) for c in coros)), TIMEOUT)


@pytest.fixture
def many_files():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 3 * SESSIONS  # our sockets, and the daemon (started after) inherits the limit
    if hard != resource.RLIM_INFINITY and hard < need:
        pytest.skip(f"the hard limit on open files is {hard}, below {need}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, need), hard))
    yield
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def test_1000_idle_sessions_stay_served(mailserver, many_files):
    d = imap_daemon(mailserver, imap__max_connections=SESSIONS + 50)
    port, pid = d.ports["imap"], d.proc.pid
    measure = not sanitized(BIN)
    sessions = [Session(n, ALICE if n % 2 == 0 else BOB) for n in range(SESSIONS)]

    async def scenario():
        async def start(s):
            await s.open(port)
            await s.cmd(f'LOGIN "{s.user[0]}" "{s.user[1]}"')
            await s.cmd("SELECT INBOX")
            if s.n < IDLERS:
                await s.idle()

        await gather_all([start(s) for s in sessions])
        rss_open = rss_kb(pid)

        # A new session still logs in while the 1,000 are held open.
        def newcomer_and_mail():
            m = connect(d, ALICE)
            assert m.select("INBOX")[0] == "OK"
            with smtplib.SMTP("127.0.0.1", d.ports["smtp"], source_address=(LAN_IP, 0), timeout=120) as s:
                s.sendmail("someone@elsewhere.test", [ALICE[0]],
                           b"From: <someone@elsewhere.test>\r\nSubject: to the idlers\r\n\r\nhello\r\n")
            return m

        newcomer = await asyncio.get_running_loop().run_in_executor(None, newcomer_and_mail)
        # Every one of alice's idlers hears of the message.
        alice_idlers = [s for s in sessions if s.n < IDLERS and s.user == ALICE]
        await gather_all([s.hears(b"* 1 EXISTS") for s in alice_idlers], limit=SESSIONS)
        # The newcomer gets the mail.
        def read_it():
            newcomer.noop()
            typ, data = newcomer.fetch("1", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
            assert typ == "OK" and b"Subject: to the idlers" in data[0][1], data
            newcomer.logout()
        await asyncio.get_running_loop().run_in_executor(None, read_it)
        rss_loaded = rss_kb(pid)

        # Every session is still served: IDLE ends with OK, then a NOOP.
        async def finish(s):
            if s.n < IDLERS:
                await s.done()
            await s.cmd("NOOP")
            await s.cmd("LOGOUT")
            s.w.close()

        await gather_all([finish(s) for s in sessions])
        return rss_open, rss_loaded

    rss_open, rss_loaded = asyncio.run(scenario())
    print(f"postern RSS with {SESSIONS} IMAP sessions: {rss_open} kB open, {rss_loaded} kB after delivery"
          f"{'' if measure else ' (sanitizer build: not compared)'}")
    if measure:
        assert rss_open <= RSS_LIMIT_KB and rss_loaded <= RSS_LIMIT_KB, (rss_open, rss_loaded)
    assert d.proc.poll() is None

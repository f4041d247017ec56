#!/usr/bin/python3
"""IMAP load for bench/imap.sh, the same for Postern and Dovecot (plain IMAP on loopback).

  imap_load.py seed  PORT USER PASS COUNT SIZE     APPEND COUNT messages of about SIZE bytes
  imap_load.py idle  PORT USERFILE SESSIONS        SESSIONS connections logged in (users from
                                                   USERFILE, "user pass" lines, round robin),
                                                   INBOX selected, in IDLE; prints "idling N"
                                                   and keeps them open until stdin closes
  imap_load.py load  PORT USER PASS CLIENTS SECONDS   CLIENTS sessions run a mix of commands
                                                   for SECONDS; prints "ops N seconds S"

The mix per round, as a mail client's sync does: NOOP, FETCH 1:* (UID FLAGS), UID FETCH of
one message's BODY.PEEK[], FETCH of ENVELOPE BODYSTRUCTURE for 10, SEARCH UNSEEN,
UID STORE +FLAGS / -FLAGS \\Flagged. Every answer must be tagged OK, or the run fails.
"""
import asyncio
import random
import sys
import time


class Client:
    def __init__(self, reader, writer):
        self.r, self.w, self.n = reader, writer, 0

    @classmethod
    async def open(cls, port):
        r, w = await asyncio.open_connection("127.0.0.1", port, limit=1 << 24)
        c = cls(r, w)
        greeting = await r.readline()
        if not greeting.startswith(b"* OK"):
            raise RuntimeError(f"greeting: {greeting!r}")
        return c

    async def cmd(self, text, literal=None):
        self.n += 1
        tag = f"t{self.n}"
        if literal is not None:
            self.w.write(f"{tag} {text} {{{len(literal)}+}}\r\n".encode() + literal + b"\r\n")
        else:
            self.w.write(f"{tag} {text}\r\n".encode())
        lines = []
        while True:
            line = await self.r.readline()
            if not line:
                raise RuntimeError(f"closed during {text}")
            s = line.rstrip(b"\r\n")
            if s.endswith(b"}") and b"{" in s:
                n = int(s[s.rindex(b"{") + 1:-1])
                await self.r.readexactly(n)
                continue
            lines.append(line)
            if line.startswith(tag.encode() + b" "):
                if not line.startswith(tag.encode() + b" OK"):
                    raise RuntimeError(f"{text}: {line!r}")
                return lines

    async def login(self, user, password):
        await self.cmd(f'LOGIN "{user}" "{password}"')


def message(i, size):
    body = ("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * (size // 58 + 1))[:size]
    lines = "\r\n".join(body[k:k + 76] for k in range(0, len(body), 76))
    return (f"From: Sender {i} <sender{i}@example.test>\r\nTo: bench1@example.test\r\n"
            f"Subject: bench message {i}\r\nDate: Thu, 26 Nov 2026 12:00:00 +0000\r\n"
            f"Message-ID: <bench-{i}@example.test>\r\n\r\n{lines}\r\n").encode()


async def seed(port, user, password, count, size):
    c = await Client.open(port)
    await c.login(user, password)
    for i in range(count):
        await c.cmd("APPEND INBOX" + (" (\\Seen)" if i % 2 else ""), message(i, size))
    await c.cmd("LOGOUT")


async def idle(port, userfile, sessions):
    users = [line.split() for line in open(userfile) if line.strip()]
    clients = []
    sem = asyncio.Semaphore(50)

    async def one(i):
        async with sem:
            c = await Client.open(port)
            u, p = users[i % len(users)]
            await c.login(u, p)
            await c.cmd("SELECT INBOX")
            c.w.write(b"idle IDLE\r\n")
            line = await c.r.readline()
            if not line.startswith(b"+"):
                raise RuntimeError(f"IDLE: {line!r}")
            clients.append(c)

    await asyncio.gather(*(one(i) for i in range(sessions)))
    print(f"idling {len(clients)}", flush=True)
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, sys.stdin.read)
    for c in clients:
        c.w.close()


async def load(port, user, password, clients, seconds):
    ops = 0
    deadline = time.monotonic() + seconds

    async def one(k):
        nonlocal ops
        rnd = random.Random(k)
        c = await Client.open(port)
        await c.login(user, password)
        lines = await c.cmd("SELECT INBOX")
        exists = next(int(l.split()[1]) for l in lines if l.endswith(b" EXISTS\r\n"))
        uids = [int(l.split(b"UID ")[1].split()[0].rstrip(b")")) for l in await c.cmd("FETCH 1:* (UID)")
                if b" FETCH (UID " in l]
        while time.monotonic() < deadline:
            uid = rnd.choice(uids)
            start = rnd.randint(1, max(1, exists - 9))
            for text in ["NOOP", "FETCH 1:* (UID FLAGS)", f"UID FETCH {uid} (BODY.PEEK[])",
                         f"FETCH {start}:{start + 9} (UID ENVELOPE BODYSTRUCTURE)", "SEARCH UNSEEN",
                         f"UID STORE {uid} +FLAGS.SILENT (\\Flagged)", f"UID STORE {uid} -FLAGS.SILENT (\\Flagged)"]:
                await c.cmd(text)
                ops += 1
        await c.cmd("LOGOUT")

    t0 = time.monotonic()
    await asyncio.gather(*(one(k) for k in range(clients)))
    print(f"ops {ops} seconds {time.monotonic() - t0:.2f}", flush=True)


def main():
    mode, port = sys.argv[1], int(sys.argv[2])
    a = sys.argv[3:]
    if mode == "seed":
        asyncio.run(seed(port, a[0], a[1], int(a[2]), int(a[3])))
    elif mode == "idle":
        asyncio.run(idle(port, a[0], int(a[1])))
    elif mode == "load":
        asyncio.run(load(port, a[0], a[1], int(a[2]), float(a[3])))
    else:
        sys.exit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()

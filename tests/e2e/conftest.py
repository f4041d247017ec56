"""End-to-end harness: every test gets its own real `postern serve` with its own data
folder and its own loopback ports, driven by real clients (smtplib, swaks).

Addresses: only 127.0.0.0/8. Tests that need a "LAN" and an "outside" client set
network.lan to 127.0.0.2/32 and connect from 127.0.0.2 (LAN) or 127.0.0.3 (outside).
"""
import os
import shutil
import signal
import socket
import smtplib
import ssl
import subprocess
import tempfile
import base64
import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(os.environ.get("POSTERN_BIN", ROOT / "build" / "bin" / "postern"))
SERVICES = ["smtp", "submission", "submissions", "imap", "imaps", "admin"]
LAN_IP = "127.0.0.2"
OUTSIDE_IP = "127.0.0.3"

_port_cursor = [0]

# What AddressSanitizer and UBSan print when a sanitizer build (POSTERN_BIN=build-asan/...)
# finds a bug; UBSan goes on running, so the output is the only trace.
SANITIZER_REPORT = re.compile(r"ERROR: AddressSanitizer|runtime error: |ERROR: LeakSanitizer")


def assert_no_sanitizer_report(output, what):
    match = SANITIZER_REPORT.search(output or "")
    if match:
        start = max(0, match.start() - 200)
        raise AssertionError(f"{what}: sanitizer report:\n{output[start:start + 4000]}")


def _port_is_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port():
    """A free port from this xdist worker's own range, so parallel workers never race.
    POSTERN_TEST_PORT_BASE moves the ranges, so two test runs on one machine do not race.
    The default ranges (20000 + 2000 per worker, up to six workers) stay below the kernel's
    ephemeral ports (32768+): no outgoing connection can take a port a test is about to
    listen on, or connect to itself through it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker.startswith("gw") else 0
    base = int(os.environ.get("POSTERN_TEST_PORT_BASE", "20000")) + index * 2000
    for _ in range(2000):
        _port_cursor[0] = (_port_cursor[0] + 1) % 2000
        port = base + _port_cursor[0]
        if _port_is_free(port):
            return port
    raise RuntimeError("no free port")


class Daemon:
    # How postern is run and the data folder it is given: a test may run it in another
    # mount namespace (nsenter) while reading data_dir from here through /proc/PID/root.
    argv_prefix = []

    @property
    def data_arg(self):
        return str(self.data_dir)

    def __init__(self, data_dir):
        self.data_dir = Path(data_dir)
        self.proc = None
        self.ports = {}
        self.output_path = self.data_dir.parent / "serve.out"

    # --- command line -------------------------------------------------------------
    def cli(self, *args, input=None, check=True):
        res = subprocess.run([*self.argv_prefix, str(BIN), *args[:1], "--data-dir", self.data_arg, *args[1:]],
                             input=input, capture_output=True, text=True, timeout=120)
        assert_no_sanitizer_report(res.stderr, f"postern {' '.join(args)}")
        if check and res.returncode != 0:
            raise AssertionError(f"postern {' '.join(args)} failed ({res.returncode}): {res.stderr}")
        return res

    def set(self, **settings):
        words = []
        for key, value in settings.items():
            words += [key.replace("__", "."), str(value)]
        return self.cli("config", "set", *words)

    def add_domain(self, name):
        self.cli("domain", "add", name)

    def add_user(self, address, password):
        self.cli("user", "add", address, "--password-stdin", input=password + "\n")

    # --- process ------------------------------------------------------------------
    def assign_ports(self):
        words = []
        for service in SERVICES:
            self.ports[service] = free_port()
            words += [f"{service}.listen", f"127.0.0.1:{self.ports[service]}"]
        # Never ask the machine's own resolver: a test that needs DNS starts its own server
        # (dns_server.py) and points dns.nameservers at it. Port 9 on loopback answers nothing.
        words += ["dns.nameservers", "127.0.0.1:9", "dns.timeout_s", "2"]
        # SPF (on by default in the product) needs that DNS server too: without one every
        # check is a temperror (451). SPF tests turn it back on (test_spf_smtp.py).
        words += ["spf.verify_mail_from", "false", "spf.check_helo", "false"]
        self.cli("config", "set", *words)

    def start(self):
        """Starts `postern serve` and waits until every SMTP listener is bound. If a port was
        taken meanwhile (another test run on this machine), picks new ports and retries, so a
        test never talks to somebody else's daemon."""
        for attempt in range(5):
            offset = len(self.log("postern.log"))
            self.out = open(self.output_path, "a")
            self.proc = subprocess.Popen([*self.argv_prefix, str(BIN), "serve", "--data-dir", self.data_arg],
                                         stdout=self.out, stderr=subprocess.STDOUT)
            deadline = time.time() + 20
            while "postern started" not in self.log("postern.log")[offset:]:
                if self.proc.poll() is not None:
                    raise AssertionError(f"postern exited with {self.proc.returncode}: {self.output()}")
                if time.time() > deadline:
                    raise AssertionError("postern did not start: " + self.output())
                time.sleep(0.02)
            if "cannot listen" not in self.log("postern.log")[offset:]:
                self.wait_listening("smtp")
                return
            self.kill()
            self.assign_ports()
        raise AssertionError("could not find free ports: " + self.log("postern.log")[-2000:])

    def wait_listening(self, service, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"postern exited with {self.proc.returncode}: {self.output()}")
            try:
                with socket.create_connection(("127.0.0.1", self.ports[service]), timeout=1) as s:
                    s.settimeout(5)
                    if service != "submissions":
                        assert s.recv(512).startswith(b"220")
                    return
            except OSError:
                time.sleep(0.05)
        raise AssertionError(f"{service} did not start listening: {self.output()}")

    def stop(self, timeout=60):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            self.proc.wait(timeout=timeout)
        return self.proc.returncode if self.proc else None

    def kill(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)

    def output(self):
        try:
            return self.output_path.read_text()
        except OSError:
            return ""

    def log(self, name):
        path = self.data_dir / "log" / name
        return path.read_text() if path.exists() else ""

    # --- clients ------------------------------------------------------------------
    def smtp(self, service="smtp", source=None, timeout=30):
        src = (source, 0) if source else None
        if service == "submissions":
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            return smtplib.SMTP_SSL("127.0.0.1", self.ports[service], context=ctx,
                                    source_address=src, timeout=timeout)
        return smtplib.SMTP("127.0.0.1", self.ports[service], source_address=src, timeout=timeout)

    def raw(self, service="smtp", source=None, timeout=30):
        """A plain socket after the 220 greeting, for byte-exact dialogues."""
        s = socket.create_connection(("127.0.0.1", self.ports[service]), timeout=timeout,
                                     source_address=(source, 0) if source else None)
        f = s.makefile("rb")
        greeting = f.readline()
        assert greeting.startswith(b"220"), greeting
        return RawClient(s, f)

    # --- mailboxes ----------------------------------------------------------------
    def mailbox(self, address):
        local, domain = address.lower().split("@")
        return self.data_dir / "mail" / domain / local / "new"

    def messages(self, address):
        box = self.mailbox(address)
        if not box.exists():
            return []
        return [p.read_bytes() for p in sorted(box.iterdir())]

    def wait_messages(self, address, count, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            msgs = self.messages(address)
            if len(msgs) >= count:
                return msgs
            time.sleep(0.05)
        raise AssertionError(f"{address}: expected {count} message(s), found {len(self.messages(address))}")

    def queue_list(self):
        res = self.cli("queue", "list")
        return [line for line in res.stdout.splitlines() if line.strip()]

    # --- helpers added for the e2e suite -------------------------------------------
    def wait_queue_empty(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            left = self.queue_list()
            if not left:
                return
            time.sleep(0.1)
        raise AssertionError(f"queue not empty after {timeout}s: {left}")

    def add_alias(self, alias, *targets):
        self.cli("alias", "add", alias, ",".join(targets))

    def raw_tls(self, service="submissions", source=None, timeout=30, context=None):
        """A TLS socket client for an implicit-TLS listener, after the 220 greeting."""
        s = socket.create_connection(("127.0.0.1", self.ports[service]), timeout=timeout,
                                     source_address=(source, 0) if source else None)
        tls = (context or tls_context()).wrap_socket(s, server_hostname="mail.example.test")
        f = tls.makefile("rb")
        greeting = f.readline()
        assert greeting.startswith(b"220"), greeting
        return RawClient(tls, f)

    def wait_log(self, name, pattern, timeout=20):
        """Waits until log/NAME matches the regular expression; returns the match."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = re.search(pattern, self.log(name))
            if m:
                return m
            time.sleep(0.05)
        raise AssertionError(f"log/{name} never matched {pattern!r}:\n{self.log(name)[-3000:]}")

    def known_settings(self):
        if not hasattr(self, "_known"):
            import json
            self._known = {item["key"] for item in json.loads(self.cli("config", "schema").stdout)}
        return self._known

    def hold_remote(self):
        """Keeps mail for remote domains in the queue: when the build has outbound delivery,
        send it through a smart host that refuses connections (127.0.0.1:1), retried rarely.
        No test ever reaches the real network."""
        if "delivery.mode" in self.known_settings():
            self.set(delivery__mode="smarthost", delivery__smarthost_host="127.0.0.1",
                     delivery__smarthost_port=1, delivery__smarthost_tls="opportunistic",
                     queue__retry_min_s=3600, queue__retry_max_s=3600)

    def reloads(self):
        return self.log("postern.log").count("settings reloaded")

    def set_live(self, **settings):
        """`config set` on a running daemon, then waits until the daemon says it reloaded."""
        before = self.reloads()
        res = self.set(**settings)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.reloads() > before:
                return res
            time.sleep(0.05)
        raise AssertionError("daemon did not reload its settings: " + self.log("postern.log")[-2000:])


class SocketClient:
    """A test client over `self.sock`, closed on leaving a `with` block."""

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class RawClient(SocketClient):
    def __init__(self, sock, reader):
        self.sock = sock
        self.reader = reader

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def reply(self):
        """Reads one complete (possibly multi-line) reply; returns (code, text)."""
        lines = []
        while True:
            line = self.reader.readline()
            if not line:
                raise ConnectionError("connection closed; got " + repr(lines))
            lines.append(line.decode(errors="replace").rstrip("\r\n"))
            if len(line) < 4 or line[3:4] != b"-":
                break
        return int(lines[-1][:3]), "\n".join(lines)

    def cmd(self, line):
        self.send(line + "\r\n")
        return self.reply()

    def starttls(self, context=None):
        """Upgrades this connection to TLS (after a 220 to STARTTLS); returns the SSL socket."""
        tls = (context or tls_context()).wrap_socket(self.sock, server_hostname="mail.example.test")
        self.sock = tls
        self.reader = tls.makefile("rb")
        return tls

    def ehlo(self, name="client.test"):
        code, text = self.cmd("EHLO " + name)
        assert code == 250, text
        return [line[4:] for line in text.split("\n")]

    def read_to_close(self, timeout=10):
        """Everything the server still sends until it closes the connection; raises
        AssertionError when the connection is still open after `timeout` seconds."""
        self.sock.settimeout(timeout)
        data = b""
        try:
            while True:
                chunk = self.reader.read1(4096)
                if not chunk:
                    return data
                data += chunk
        except socket.timeout:
            raise AssertionError(f"connection still open after {timeout}s; got {data!r}")
        except ConnectionResetError:
            return data



_seed_cert = {}


def seed_tls(data_dir):
    """Copies a certificate generated once per test process into DATA_DIR/tls, so each daemon
    skips the RSA key generation at first start (seconds on a loaded 2-core box). Tests about
    the generated certificate itself ask for fresh_tls=True."""
    if "dir" not in _seed_cert:
        seed = Path(tempfile.mkdtemp(prefix="postern-e2e-cert-"))
        res = subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30",
                              "-subj", "/CN=mail.example.test", "-addext", "subjectAltName=DNS:mail.example.test",
                              "-keyout", str(seed / "key.pem"), "-out", str(seed / "cert.pem")],
                             capture_output=True, text=True)
        _seed_cert["dir"] = seed if res.returncode == 0 else None
    if _seed_cert["dir"] is None:
        return
    tls = Path(data_dir) / "tls"
    tls.mkdir(parents=True, exist_ok=True, mode=0o700)
    for name in ("cert.pem", "key.pem"):
        shutil.copyfile(_seed_cert["dir"] / name, tls / name)
        os.chmod(tls / name, 0o600)


@pytest.fixture
def daemon_factory(tmp_path):
    """Creates daemons with ports assigned; the test adds domains/users, then start()s.
    fresh_tls=True leaves DATA_DIR/tls empty so the daemon generates its own certificate."""
    made = []

    def make(start=True, fresh_tls=False, **settings):
        d = Daemon(tmp_path / f"data{len(made)}")
        made.append(d)
        if not fresh_tls:
            seed_tls(d.data_dir)
        d.assign_ports()
        if settings:
            d.set(**settings)
        if start:
            d.start()
        return d

    yield make
    for d in made:
        d.kill()
    for d in made:
        assert_no_sanitizer_report(d.output(), f"postern serve ({d.data_dir})")


@pytest.fixture
def server(daemon_factory):
    """A running daemon hosting example.test with alice (password alice-secret-1) and bob."""
    d = daemon_factory(start=False)
    d.add_domain("example.test")
    d.add_user("alice@example.test", "alice-secret-1")
    d.add_user("bob@example.test", "bob-secret-22")
    d.start()
    return d


@pytest.fixture
def mailserver(daemon_factory):
    """Factory: a daemon hosting example.test (alice, bob; hostname mail.example.test) with
    network.lan=127.0.0.2/32 so 127.0.0.2 is the LAN and 127.0.0.3 the outside; extra
    settings as keyword arguments (`__` for dots), started unless start=False."""
    def make(start=True, fresh_tls=False, **settings):
        d = daemon_factory(start=False, fresh_tls=fresh_tls)
        d.hold_remote()
        d.set(network__lan="127.0.0.2/32", smtp__hostname="mail.example.test", **settings)
        d.add_domain("example.test")
        d.add_user("alice@example.test", "alice-secret-1")
        d.add_user("bob@example.test", "bob-secret-22")
        if start:
            d.start()
        return d
    return make


@pytest.fixture
def admin(mailserver):
    """(daemon, AdminApi): a `mailserver` daemon (remote mail stays queued) with the admin
    API on, and an API client already signed in."""
    from admin_api import AdminApi, start_admin
    d = start_admin(mailserver)
    api = AdminApi(d)
    api.login()
    return d, api


def b64(text):
    return base64.b64encode(text.encode() if isinstance(text, str) else text).decode()


def plain_token(user, password, authzid=""):
    return b64(f"{authzid}\0{user}\0{password}")


def tls_context():
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx

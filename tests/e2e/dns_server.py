"""A real DNS server for end-to-end tests: dnsmasq (Debian's dnsmasq-base) on
127.0.0.1:<free port>, answering only from the records it is given.

It never forwards a query anywhere: no upstream servers (no-resolv, no server= lines), and
the zones in `zones` are local, so inside them a name without records gets NXDOMAIN (or
NODATA when it has records of another type) and any name outside them gets REFUSED, which
a resolver reports as SERVFAIL (a temporary failure).

    from dns_server import DnsServer

    records = [
        ("example.test", "MX", 10, "mx.example.test"),
        ("mx.example.test", "A", "127.0.0.10"),       # also publishes the PTR, unless
        ("mx.example.test", "AAAA", "::10"),          # the address has its own PTR record
        ("example.test", "TXT", "v=spf1 ip4:127.0.0.0/8", " -all"),  # one record, two strings
        ("127.0.0.5", "PTR", "host.example.test"),    # an address or a reverse name
        ("alias.example.test", "CNAME", "mx.example.test"),
        ("nomail.test", "MX", 0, "."),                # null MX (RFC 7505)
    ]
    with DnsServer(records) as dns:
        daemon.set(dns__nameservers=dns.nameserver)   # "127.0.0.1:PORT"
        ...
        assert ("MX", "example.test") in dns.queries()

The C++ unit tests start dnsmasq the same way (tests/unit/dns/dns_test_server.h).
"""
import ipaddress
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

DEFAULT_ZONES = ("test", "in-addr.arpa", "ip6.arpa")

_port_cursor = [0]


def _dnsmasq():
    for path in (shutil.which("dnsmasq"), "/usr/sbin/dnsmasq", "/sbin/dnsmasq"):
        if path and os.access(path, os.X_OK):
            return path
    raise RuntimeError("dnsmasq not found: install dnsmasq-base (scripts/deps.sh test)")


def _port_is_free(address, port):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with socket.socket(socket.AF_INET, kind) as s:
            try:
                s.bind((address, port))
            except OSError:
                return False
    return True


def _free_port(address):
    """A port free for UDP and TCP, from a range per xdist worker that conftest.free_port
    (20000 + 2000 per worker) does not use, so parallel workers and daemons never race; below
    the kernel's ephemeral ports (32768+) like it."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker.startswith("gw") and worker[2:].isdigit() else 0
    base = 10000 + (index % 8) * 250
    for _ in range(250):
        _port_cursor[0] = (_port_cursor[0] + 1) % 250
        port = base + _port_cursor[0]
        if _port_is_free(address, port):
            return port
    raise RuntimeError("no free port for the DNS server")


def _quote(text):
    """A string for dnsmasq's configuration file: inside quotes commas are data."""
    if any(c in text for c in "\r\n\0"):
        raise ValueError(f"TXT data cannot hold line breaks or NUL: {text!r}")
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _reverse_name(name):
    try:
        return ipaddress.ip_address(name).reverse_pointer
    except ValueError:
        return name.rstrip(".")


def _config_line(record):
    name, rtype, *data = record
    name = str(name).rstrip(".")
    rtype = rtype.upper()
    if rtype in ("A", "AAAA"):
        (address,) = data
        version = ipaddress.ip_address(address).version
        if (rtype == "A") != (version == 4):
            raise ValueError(f"{rtype} record with a version {version} address: {record!r}")
        return f"host-record={name},{address}"
    if rtype == "MX":
        preference, exchange = data
        return f"mx-host={name},{exchange.rstrip('.') or '.'},{int(preference)}"
    if rtype == "TXT":
        if not data:
            raise ValueError(f"a TXT record needs at least one string: {record!r}")
        return f"txt-record={name}," + ",".join(_quote(str(s)) for s in data)
    if rtype == "PTR":
        (target,) = data
        return f"ptr-record={_reverse_name(name)},{target.rstrip('.')}"
    if rtype == "CNAME":
        (target,) = data
        return f"cname={name},{target.rstrip('.')}"
    raise ValueError(f"unsupported record type {rtype}: {record!r}")


class DnsServer:
    """dnsmasq serving `records` (tuples, see the module doc) with one TTL for all."""

    def __init__(self, records=(), zones=DEFAULT_ZONES, ttl=300, address="127.0.0.1"):
        if not ipaddress.ip_address(address).is_loopback:
            raise ValueError("the test DNS server listens on loopback addresses only")
        self.records = list(records)
        self.zones = tuple(zones)
        self.ttl = int(ttl)
        self.address = address
        self.port = None
        self.proc = None
        self._dir = None

    @property
    def nameserver(self):
        """The value for the dns.nameservers setting."""
        return f"{self.address}:{self.port}"

    def _write_config(self):
        lines = [
            "no-resolv", "no-hosts", "no-poll", "no-ident", "bind-interfaces",
            f"listen-address={self.address}", f"port={self.port}",
            "cache-size=0", f"local-ttl={self.ttl}",
            "log-queries", f"log-facility={self._dir}/queries.log",
        ]
        lines += [f"local=/{zone.strip('.')}/" for zone in self.zones]
        lines += [_config_line(r) for r in self.records]
        conf = Path(self._dir) / "dnsmasq.conf"
        conf.write_text("\n".join(lines) + "\n")
        return conf

    def _ready(self, timeout=5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False  # exited: a bad record, or it lost the port to someone else
            try:
                with socket.create_connection((self.address, self.port), timeout=0.2):
                    return True
            except OSError:
                time.sleep(0.02)
        return False

    def start(self):
        self._dir = tempfile.mkdtemp(prefix="postern-dns-")
        try:
            for _ in range(10):
                self.port = _free_port(self.address)
                conf = self._write_config()
                with open(Path(self._dir) / "stderr", "wb") as errors:
                    self.proc = subprocess.Popen(
                        [_dnsmasq(), "--keep-in-foreground", f"--conf-file={conf}", "--pid-file="],
                        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errors)
                if self._ready():
                    return self
                self._terminate()
            error = (Path(self._dir) / "stderr").read_text(errors="replace")
            raise RuntimeError(f"dnsmasq did not start: {error}")
        except BaseException:
            self.stop()
            raise

    def _terminate(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def stop(self):
        self._terminate()
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def queries(self):
        """(TYPE, name) of every query received so far, oldest first."""
        log = Path(self._dir or "/nonexistent") / "queries.log"
        found = []
        if log.exists():
            for line in log.read_text(errors="replace").splitlines():
                # "... dnsmasq[123]: query[MX] example.test from 127.0.0.1"
                marker = line.find(": query[")
                if marker < 0:
                    continue
                rest = line[marker + len(": query["):]
                rtype, _, tail = rest.partition("] ")
                found.append((rtype, tail.split(" ", 1)[0]))
        return found

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

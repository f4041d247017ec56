"""A DNSSEC-signed test DNS on loopback for the RequireTLS-by-DNSSEC tests: zones signed
with ldns-signzone (ldnsutils) under keys from ldns-keygen, served by NSD, an
authoritative server from Debian, on 127.0.0.x:PORT.

Postern's libunbound takes the server as its forwarder (dns.nameservers) and validates
the answers against a trust anchor file (dns.dnssec_trust_anchor) holding the zone's DS
record, as an operator would configure it. Nothing here validates by itself: libunbound
in the daemon does, so a wrong key or missing signatures come out as its real verdict.

    dns = SignedDns(tmp_path / "dns")
    dns.zone("secure.test")                          # signed (keys made now)
    dns.zone("plain.test", sign=False)               # served unsigned
    anchor = dns.trust_anchor("secure.test")         # file with the DS of the zone's KSK
    other = dns.trust_anchor("plain.test", other_key=True)  # the DS of a key never used
    dns.add(("secure.test", "MX", 10, "mx1.secure.test"))   # into the zone it falls in
    with dns:                                        # signs, starts NSD
        ...

Records are tuples (name, "A", ip), (name, "MX", preference, host), (name, "TXT", text).
Errors: ValueError for a record outside every zone or a non-loopback address,
CalledProcessError when a tool fails, RuntimeError when NSD does not start. Threading: one
test's fixture, used from that test only.
"""
import ipaddress
import subprocess
import time
from pathlib import Path

from conftest import free_port

ALGORITHM = "ECDSAP256SHA256"


def _keygen(folder, zone, ksk):
    args = ["ldns-keygen", "-a", ALGORITHM] + (["-k"] if ksk else []) + [zone]
    base = subprocess.run(args, cwd=folder, check=True, capture_output=True, text=True).stdout.strip()
    return Path(folder) / base


def _rr(record):
    name, rtype, *values = record
    if rtype == "TXT":
        return f'{name}. IN TXT "{values[0]}"'
    return f"{name}. IN {rtype} " + " ".join(str(v) + ("." if rtype == "MX" and i == 1 else "")
                                             for i, v in enumerate(values))


class SignedDns:
    def __init__(self, folder, address="127.0.0.1"):
        if not ipaddress.ip_address(address).is_loopback:
            raise ValueError("the test DNS server listens on loopback addresses only")
        self.dir = Path(folder)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.address = address
        self.port = None
        self.proc = None
        self.zones = {}   # name -> (records, sign)
        self.keys = {}    # name -> KSK base path (signed zones only)
        self.files = {}   # name -> zone file served

    @property
    def nameserver(self):
        """The value for the dns.nameservers setting."""
        return f"{self.address}:{self.port}"

    def zone(self, name, sign=True):
        self.zones[name] = ([], sign)
        if sign:
            self.keys[name] = _keygen(self.dir, name, ksk=True)

    def add(self, record):
        zone = self.zone_of(record[0])
        if zone is None:
            raise ValueError(f"{record[0]} is in none of the zones {sorted(self.zones)}")
        self.zones[zone][0].append(record)

    def zone_of(self, host):
        """The most specific zone HOST falls in, or None."""
        best = None
        for z in self.zones:
            if (host == z or host.endswith("." + z)) and (best is None or len(z) > len(best)):
                best = z
        return best

    def trust_anchor(self, zone, other_key=False):
        """A trust-anchor file (zone-file DS record) for ZONE: the DS of its key-signing
        key, or with OTHER_KEY the DS of a fresh key the zone was never signed with."""
        folder = self.dir / ("other-" + zone)
        if other_key:
            folder.mkdir(exist_ok=True)
            ksk = _keygen(folder, zone, ksk=True)
        else:
            ksk = self.keys[zone]
        path = self.dir / (("other-" if other_key else "") + zone + ".anchor")
        path.write_text(Path(str(ksk) + ".ds").read_text())
        return str(path)

    def _write_zone(self, name, records, sign):
        text = [f"$ORIGIN {name}.", "$TTL 300",
                f"@ IN SOA ns.{name}. hostmaster.{name}. 1 3600 600 86400 300",
                f"@ IN NS ns.{name}.", f"ns IN A {self.address}"]
        text += [_rr(r) for r in records]
        path = self.dir / (name + ".zone")
        path.write_text("\n".join(text) + "\n")
        if not sign:
            return path.name
        ksk = self.keys[name]
        zsk = _keygen(self.dir, name, ksk=False)
        # Inception a day back: the validator must not see signatures from the future.
        inception = time.strftime("%Y%m%d", time.gmtime(time.time() - 86400))
        subprocess.run(["ldns-signzone", "-i", inception, "-f", str(path) + ".signed", str(path), str(zsk), str(ksk)],
                       cwd=self.dir, check=True, capture_output=True)
        return path.name + ".signed"

    def _write_config(self):
        lines = ["server:", f"  ip-address: {self.address}@{self.port}", f"  port: {self.port}",
                 '  username: ""', '  chroot: ""', f'  zonesdir: "{self.dir}"', '  database: ""',
                 f'  pidfile: "{self.dir}/nsd.pid"', f'  xfrdfile: "{self.dir}/xfrd.state"',
                 f'  zonelistfile: "{self.dir}/zone.list"', f'  logfile: "{self.dir}/nsd.log"',
                 "  server-count: 1", "  verbosity: 2", "  hide-version: yes",
                 "remote-control:", "  control-enable: no"]
        for name, (records, sign) in self.zones.items():
            if name not in self.files:
                self.files[name] = self._write_zone(name, records, sign)
            lines += ["zone:", f"  name: {name}", f"  zonefile: {self.files[name]}"]
        conf = self.dir / "nsd.conf"
        conf.write_text("\n".join(lines) + "\n")
        subprocess.run(["nsd-checkconf", str(conf)], check=True)
        return conf

    def _ready(self, timeout=10):
        # Ready means the zones are loaded: ask for a zone's SOA over TCP (dig, a real client).
        zone = next(iter(self.zones))
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            out = subprocess.run(["dig", "+tcp", "+norec", "+short", "+time=1", "+tries=1", "-p", str(self.port),
                                  "@" + self.address, zone, "SOA"], capture_output=True, text=True).stdout
            if "hostmaster" in out:
                return True
            time.sleep(0.1)
        return False

    def __enter__(self):
        for _ in range(20):
            self.port = free_port()
            conf = self._write_config()
            self.proc = subprocess.Popen(["nsd", "-d", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE)
            if self._ready():
                return self
            self._stop()
        raise RuntimeError("nsd did not start: " + (self.dir / "nsd.log").read_text(errors="replace")
                           if (self.dir / "nsd.log").exists() else "nsd did not start")

    def _stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def __exit__(self, *exc):
        self._stop()

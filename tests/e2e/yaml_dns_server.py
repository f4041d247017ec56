"""A DNS server written for the tests: answers from an in-memory zone in the shape of the
RFC 7208 test suite's `zonedata` (openspf.org YAML), on 127.0.0.1 over UDP and TCP.

Zone semantics follow the suite's own driver (pyspf's testspf.py):
- a name absent from the zone is NXDOMAIN; present without records of the type asked, NODATA;
- `SPF` entries are also served as TXT unless the name has TXT entries; `TXT: NONE` is an
  explicit "no TXT records";
- `TIMEOUT` (a bare entry): a question that found no record of its type before it gets no
  answer at all, so the resolver times out;
- a `CNAME` is answered with the alias and the target's records of the type asked.
The zone can be swapped between scenarios (set_zone) while the server runs.
"""
import socketserver
import threading

from dnslib import AAAA, CNAME, MX, PTR, QTYPE, RCODE, RR, TXT, A, DNSRecord


def _strings(value):
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _build(zone):
    """name -> list of (type, value) or "TIMEOUT", with SPF doubled into TXT."""
    out = {}
    for name, entries in (zone or {}).items():
        items = []
        has_txt = any(isinstance(e, dict) and "TXT" in e for e in entries)
        for e in entries:
            if e == "TIMEOUT":
                items.append("TIMEOUT")
                continue
            for rtype, value in e.items():
                items.append((rtype, value))
                if rtype == "SPF" and not has_txt:
                    items.append(("TXT", value))
        out[name.lower().rstrip(".")] = items
    return out


class Zone:
    def __init__(self):
        self.lock = threading.Lock()
        self.data = {}

    def set(self, zonedata):
        with self.lock:
            self.data = _build(zonedata)

    def answer(self, qname, qtype, depth=0):
        """(rcode, [RR]) or None for "do not answer"."""
        with self.lock:
            data = self.data
        name = qname.lower().rstrip(".")
        if name not in data:
            return RCODE.NXDOMAIN, []
        rrs = []
        for item in data[name]:
            if item == "TIMEOUT":
                if not rrs:
                    return None
                break
            rtype, value = item
            if rtype == "CNAME" and qtype != "CNAME":
                target = str(value).rstrip(".")
                rrs.append(RR(qname, QTYPE.CNAME, rdata=CNAME(target + "."), ttl=300))
                if depth >= 8:  # a CNAME loop: hand out the chain so far
                    return RCODE.NOERROR, rrs
                sub = self.answer(target, qtype, depth + 1)
                if sub is None:
                    return None
                return sub[0], rrs + sub[1]
            if rtype != qtype or value == "NONE":
                continue
            rrs.append(RR(qname, getattr(QTYPE, rtype), rdata=_rdata(rtype, value), ttl=300))
        return RCODE.NOERROR, rrs


def _rdata(rtype, value):
    if rtype == "A":
        return A(str(value))
    if rtype == "AAAA":
        return AAAA(str(value))
    if rtype == "MX":
        return MX(str(value[1]).rstrip(".") + ".", int(value[0]))
    if rtype == "PTR":
        return PTR(str(value).rstrip(".") + ".")
    if rtype in ("TXT", "SPF"):
        # A TXT record holds at least one character-string: an empty list is one empty string.
        return TXT([s.encode("utf-8") for s in _strings(value)] or [b""])
    raise ValueError(rtype)


def _reply(zone, data):
    try:
        request = DNSRecord.parse(data)
    except Exception:
        return None
    q = request.q
    qtype = QTYPE.get(q.qtype)
    result = zone.answer(str(q.qname), qtype)
    if result is None:
        return None
    rcode, rrs = result
    reply = request.reply()
    reply.header.rcode = rcode
    for rr in rrs:
        reply.add_answer(rr)
    return reply.pack()


class _Udp(socketserver.BaseRequestHandler):
    def handle(self):
        data, sock = self.request
        out = _reply(self.server.zone, data)
        if out is not None:
            sock.sendto(out, self.client_address)


class _Tcp(socketserver.BaseRequestHandler):
    def handle(self):
        head = self.request.recv(2)
        if len(head) < 2:
            return
        size = int.from_bytes(head, "big")
        data = b""
        while len(data) < size:
            chunk = self.request.recv(size - len(data))
            if not chunk:
                return
            data += chunk
        out = _reply(self.server.zone, data)
        if out is not None:
            self.request.sendall(len(out).to_bytes(2, "big") + out)


class _UdpServer(socketserver.ThreadingUDPServer):
    daemon_threads = True
    allow_reuse_address = True


class _TcpServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class YamlDnsServer:
    def __init__(self, port, host="127.0.0.1"):
        self.zone = Zone()
        self.udp = _UdpServer((host, port), _Udp)
        self.tcp = _TcpServer((host, port), _Tcp)
        self.udp.zone = self.tcp.zone = self.zone
        self.address = f"{host}:{port}"
        for s in (self.udp, self.tcp):
            threading.Thread(target=s.serve_forever, daemon=True).start()

    def set_zone(self, zonedata):
        self.zone.set(zonedata)

    def stop(self):
        for s in (self.udp, self.tcp):
            s.shutdown()
            s.server_close()

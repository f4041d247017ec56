"""DKIM for the end-to-end tests: a key made with `postern dkim generate`, its TXT record
for the test's DNS server (dns_server.DnsServer), and verification by an independent
verifier, Python's dkim module (Debian's python3-dkim), which fetches the public key from
that DNS server with dnslib."""
import re

import dkim
import dnslib


def generate_key(d, domain, selector):
    """Runs `postern dkim generate`; returns (record name, TXT value) as Postern printed them."""
    out = d.cli("dkim", "generate", domain, "--selector", selector).stdout
    name = re.search(r"^record: (\S+) TXT$", out, re.M).group(1)
    value = re.search(r"^value: (.+)$", out, re.M).group(1)
    return name, value


def txt_record(name, value):
    """A DnsServer record for a TXT value of any length: strings of at most 255 bytes."""
    return (name, "TXT", *[value[i:i + 255] for i in range(0, len(value), 255)])


def dnsfunc(nameserver):
    """dkim.verify's key lookup, asking the test's DNS server (IP:PORT) over UDP."""
    host, port = nameserver.rsplit(":", 1)

    def lookup(name, timeout=5):
        name = name.decode() if isinstance(name, bytes) else name
        reply = dnslib.DNSRecord.parse(dnslib.DNSRecord.question(name, "TXT").send(host, int(port), timeout=timeout))
        for rr in reply.rr:
            if rr.rtype == dnslib.QTYPE.TXT:
                return b"".join(rr.rdata.data)
        return None
    return lookup


def as_crlf(raw):
    return re.sub(rb"\r?\n", b"\r\n", raw)


def verify(raw, nameserver):
    """True when the message's first DKIM-Signature verifies with the key in DNS."""
    return dkim.verify(as_crlf(raw), dnsfunc=dnsfunc(nameserver))


def signature_tags(raw):
    """The tags of the message's DKIM-Signature header, as a dict (whitespace removed)."""
    m = re.search(rb"^DKIM-Signature:(.*?)\r?\n(?![ \t])", raw, re.M | re.S)
    assert m, "no DKIM-Signature header"
    value = re.sub(rb"\s+", b"", m.group(1)).decode()
    return dict(tag.split("=", 1) for tag in value.split(";") if tag)

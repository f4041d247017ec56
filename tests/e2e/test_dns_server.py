"""Self-test of the DNS test server helper (dns_server.py), asked with dig."""
import subprocess

import pytest

from dns_server import DnsServer

RECORDS = [
    ("example.test", "MX", 20, "mx2.example.test"),
    ("example.test", "MX", 10, "mx.example.test."),
    ("mx.example.test", "A", "127.0.0.10"),
    ("mx.example.test", "AAAA", "::10"),
    ("example.test", "TXT", "v=spf1 ip4:127.0.0.0/8", " -all"),
    ("quoted.example.test", "TXT", 'a,b "c" \\d'),
    ("127.0.0.5", "PTR", "host5.example.test"),
    ("alias.example.test", "CNAME", "mx.example.test"),
    ("nomail.test", "MX", 0, "."),
]


def dig(dns, name, rtype, *extra):
    res = subprocess.run(["dig", "+tries=1", "+time=2", "-p", str(dns.port), f"@{dns.address}",
                          name, rtype, *extra], capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    return res.stdout


def short(dns, name, rtype):
    return sorted(dig(dns, name, rtype, "+short").splitlines())


def status(dns, name, rtype):
    out = dig(dns, name, rtype)
    return out.split("status: ", 1)[1].split(",", 1)[0]


@pytest.fixture(scope="module")
def dns():
    with DnsServer(RECORDS) as server:
        yield server


def test_answers_each_record_type(dns):
    assert short(dns, "example.test", "MX") == ["10 mx.example.test.", "20 mx2.example.test."]
    assert short(dns, "mx.example.test", "A") == ["127.0.0.10"]
    assert short(dns, "mx.example.test", "AAAA") == ["::10"]
    assert short(dns, "example.test", "TXT") == ['"v=spf1 ip4:127.0.0.0/8" " -all"']
    assert short(dns, "quoted.example.test", "TXT") == ['"a,b \\"c\\" \\\\d"']
    assert short(dns, "5.0.0.127.in-addr.arpa", "PTR") == ["host5.example.test."]
    assert short(dns, "10.0.0.127.in-addr.arpa", "PTR") == ["mx.example.test."]
    assert short(dns, "alias.example.test", "A") == ["127.0.0.10", "mx.example.test."]
    assert short(dns, "nomail.test", "MX") == ["0 ."]
    assert "300\tIN\tMX" in dig(dns, "example.test", "MX")


def test_negative_answers_and_no_forwarding(dns):
    assert status(dns, "nope.example.test", "A") == "NXDOMAIN"
    assert status(dns, "mx.example.test", "MX") == "NOERROR"  # NODATA
    assert short(dns, "mx.example.test", "MX") == []
    assert status(dns, "99.0.0.127.in-addr.arpa", "PTR") == "NXDOMAIN"
    assert status(dns, "example.com", "A") == "REFUSED"       # outside its zones: never forwarded


def test_logs_queries(dns):
    short(dns, "logged.example.test", "TXT")
    assert ("TXT", "logged.example.test") in dns.queries()


def test_two_servers_and_ttl():
    with DnsServer([("a.test", "A", "127.0.0.1")], ttl=7) as one, \
            DnsServer([("a.test", "A", "127.0.0.2")]) as two:
        assert one.port != two.port
        assert short(one, "a.test", "A") == ["127.0.0.1"]
        assert short(two, "a.test", "A") == ["127.0.0.2"]
        assert "7\tIN\tA" in dig(one, "a.test", "A")
    assert one.proc is None and two.proc is None
    stopped = subprocess.run(["dig", "+tries=1", "+time=1", "-p", str(one.port), "@127.0.0.1", "a.test"],
                             capture_output=True, text=True, timeout=30)
    assert stopped.returncode == 9  # no servers could be reached


def test_rejects_bad_records():
    with pytest.raises(ValueError):
        DnsServer([("a.test", "A", "::1")]).start()
    with pytest.raises(ValueError):
        DnsServer([("a.test", "SRV", "x")]).start()
    with pytest.raises(ValueError):
        DnsServer(address="192.0.2.1")

"""ACC-2 authentication-failure log (fields, `postern authlog`, blacklisting from it) and
ACC-3 refusing AUTH on the MX listener, optionally blocking who tries.
network.lan=127.0.0.2/32; 127.0.0.3 and up are outside hosts."""
import re

import pytest

from conftest import OUTSIDE_IP, plain_token
from security_helpers import greeting


def tls_session(d, service="smtp", source=OUTSIDE_IP):
    c = d.raw(service, source=source)
    c.ehlo()
    assert c.cmd("STARTTLS")[0] == 220
    c.starttls()
    return c


def test_mx_auth_allowed_by_default(mailserver):
    d = mailserver()
    with tls_session(d) as c:
        assert "AUTH PLAIN LOGIN" in c.ehlo()
        assert c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))[0] == 235


def test_mx_auth_refused(mailserver):
    d = mailserver(security__mx_auth="refuse")
    with tls_session(d) as c:
        assert not any(line.startswith("AUTH") for line in c.ehlo())
        code, text = c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))
        assert (code, text[4:9]) == (503, "5.7.0"), text
        assert c.cmd("NOOP")[0] == 250  # the session goes on
    # submission is unaffected
    with tls_session(d, "submission") as c:
        assert "AUTH PLAIN LOGIN" in c.ehlo()
        assert c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))[0] == 235
    d.wait_log("auth.log", r"auth-failure protocol=smtp session=\S+ ip=127\.0\.0\.3 login=- account=none "
                           r"mechanism=PLAIN reason=auth-on-mx")
    assert greeting(d, OUTSIDE_IP)[0] == 220  # not blocked


def test_mx_auth_refused_and_blocked(mailserver):
    d = mailserver(security__mx_auth="refuse_and_block", security__mx_auth_block="2h")
    with tls_session(d) as c:
        c.ehlo()
        code, text = c.cmd("AUTH LOGIN")
        assert (code, text[4:9]) == (503, "5.7.0"), text
        assert c.read_to_close() == b""
    code, text = greeting(d, OUTSIDE_IP)
    assert (code, text[4:9]) == (421, "4.7.1") and "AUTH on the MX port" in text, text
    assert re.search(r"^127\.0\.0\.3 since .* tried AUTH on the MX port$", d.cli("block", "list").stdout, re.M)
    assert greeting(d, "127.0.0.4")[0] == 220
    d.cli("block", "lift", "127.0.0.3")
    assert greeting(d, OUTSIDE_IP)[0] == 220


def test_authlog_records_failures_and_prints_them(mailserver):
    d = mailserver()
    with tls_session(d, "submission") as c:
        c.ehlo()
        assert c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "wrong-password-1"))[0] == 535
        assert c.cmd("AUTH PLAIN " + plain_token("nobody here@example.test", "whatever-123"))[0] == 535
        assert c.cmd("AUTH PLAIN " + plain_token("bob@example.test", "bob-secret-22"))[0] == 235
    d.wait_log("auth.log", r"nobody%20here")
    lines = d.cli("authlog").stdout.splitlines()
    assert len(lines) == 2, lines
    first, second = (line.split(" ") for line in lines)
    # time protocol session ip login account mechanism reason
    assert first[1:] == ["smtp", first[2], "127.0.0.3", "alice@example.test", "alice@example.test", "PLAIN",
                         "bad-credentials"], first
    assert re.match(r"\d{4}-\d\d-\d\dT", first[0])
    assert second[3:] == ["127.0.0.3", "nobody%20here@example.test", "none", "PLAIN", "bad-credentials"], second
    assert first[2] == second[2]  # one session
    assert d.cli("authlog", "--limit", "1").stdout.splitlines() == [lines[1]]
    assert "wrong-password-1" not in d.log("auth.log") + d.cli("authlog").stdout
    assert d.cli("authlog", "--limit", "0", check=False).returncode == 1


def test_authlog_block_blacklists_the_ip(mailserver):
    d = mailserver()
    out = d.cli("authlog", "block", "127.0.0.3").stdout
    assert re.match(r"added \d+ black ip 127\.0\.0\.3 reject", out), out
    assert "black ip 127.0.0.3 reject" in d.cli("access", "list").stdout
    assert greeting(d, OUTSIDE_IP)[0] == 554
    assert d.cli("authlog", "block", "not-an-ip", check=False).returncode == 1

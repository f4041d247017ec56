"""RLY-3: the classic open-relay tricks, tried by an outside, unauthenticated client.
Every one must be refused (or, for addresses inside a hosted domain, resolved locally and
refused as unknown); nothing may be queued for a remote destination."""
import pytest

from conftest import OUTSIDE_IP

TRICKS = [
    "user%remote.test@example.test",        # percent hack
    "remote.test!user@example.test",        # bang path
    "\"user@remote.test\"@example.test",    # quoted local part holding an @
    "@example.test:user@remote.test",       # source route through a hosted domain
    "@example.test,@mail.example.test:user@remote.test",
    "user@[127.0.0.1]",                     # IP literal
    "user@[IPv6:::1]",
    "user@remote.test.",                    # trailing dot
    "user@example.test.",
    "USER@REMOTE.TEST",                     # case variant
    "user@remote.test@example.test",        # two @
    "user@exämple.test",                    # unicode look-alike without SMTPUTF8
    "user@example.test@remote.test",
    "user@xn--exmple-cua.test",             # punycode of the look-alike
]


@pytest.mark.parametrize("rcpt", TRICKS)
def test_relay_trick_refused(mailserver, rcpt):
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        c.send(f"RCPT TO:<{rcpt}>\r\n".encode())
        code, text = c.reply()
        assert code >= 500, f"{rcpt!r} was accepted: {text}"
        assert code in (501, 550, 553, 554), text
    assert [line for line in d.queue_list() if "route=remote" in line] == []


def test_unicode_variant_with_smtputf8_refused(mailserver):
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test> SMTPUTF8")[0] == 250
        c.send("RCPT TO:<user@exämple.test>\r\n".encode())
        code, text = c.reply()
        assert (code, text[4:9]) == (554, "5.7.1"), text


def test_trusted_network_may_relay_and_wide_networks_are_refused(mailserver):
    d = mailserver(start=False)
    refused = d.cli("trusted", "add", "world", "0.0.0.0/0", check=False)
    assert refused.returncode == 1 and "open relay" in refused.stderr
    d.cli("trusted", "add", "office", "127.0.0.3/32")
    d.start()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        code, text = c.cmd("RCPT TO:<friend@remote.test>")
        assert code == 250, text
    with d.raw(source="127.0.0.4") as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        assert c.cmd("RCPT TO:<friend@remote.test>")[0] == 554


def test_relay_domain_accepted_from_anyone_but_nothing_else(mailserver):
    d = mailserver(start=False)
    d.cli("relay-domain", "add", "branch.test", "127.0.0.1:1")
    refused = d.cli("relay-domain", "add", "example.test", check=False)
    assert refused.returncode == 1 and "hosted here" in refused.stderr
    d.start()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        assert c.cmd("RCPT TO:<someone@branch.test>")[0] == 250
        assert c.cmd("RCPT TO:<someone@sub.branch.test>")[0] == 554
        assert c.cmd("RCPT TO:<someone@remote.test>")[0] == 554


def test_lan_cannot_be_widened_to_the_world(mailserver):
    d = mailserver(start=False)
    for wide in ("0.0.0.0/0", "::/0", "0.0.0.0/4", "127.0.0.2/32,1.0.0.0/7"):
        res = d.cli("config", "set", "network.lan", wide, check=False)
        assert res.returncode == 1, wide
        assert "network.lan" in res.stderr and "open relay" in res.stderr
    assert d.cli("config", "get", "network.lan").stdout.strip() == "127.0.0.2/32"

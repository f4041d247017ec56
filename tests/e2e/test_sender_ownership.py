"""Sender ownership (GEN-3): an authenticated user may send only as itself, its +tags, and
aliases that reach it, unless smtp.check_sender_login=false."""
import pytest

from conftest import LAN_IP, OUTSIDE_IP, plain_token


def _as_alice(d, source=OUTSIDE_IP):
    c = d.raw_tls("submissions", source=source)
    c.ehlo()
    code, text = c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))
    assert code == 235, text
    return c


@pytest.fixture
def owned(mailserver):
    d = mailserver(start=False)
    d.add_alias("info@example.test", "alice@example.test")
    d.add_alias("sales@example.test", "bob@example.test", "alice@example.test")
    d.add_alias("chain@example.test", "info@example.test")
    d.add_alias("bobs@example.test", "bob@example.test")
    d.start()
    return d


@pytest.mark.parametrize("sender", ["bob@example.test", "bob+x@example.test", "bobs@example.test",
                                    "someone@remote.test", "alice@remote.test", "alicex@example.test"])
def test_cannot_send_as_others(owned, sender):
    with _as_alice(owned) as c:
        code, text = c.cmd(f"MAIL FROM:<{sender}>")
        assert (code, text[4:9]) == (553, "5.7.1"), text


@pytest.mark.parametrize("sender", ["alice@example.test", "ALICE@Example.Test", "alice+x@example.test",
                                    "info@example.test", "sales@example.test", "chain@example.test"])
def test_may_send_as_own_addresses(owned, sender):
    with _as_alice(owned) as c:
        code, text = c.cmd(f"MAIL FROM:<{sender}>")
        assert code == 250, text
        assert c.cmd("RCPT TO:<friend@remote.test>")[0] == 250


def test_full_message_as_alias_delivered(owned):
    with owned.smtp("submissions") as c:
        c.ehlo("laptop")
        c.login("alice@example.test", "alice-secret-1")
        assert c.sendmail("info@example.test", ["bob@example.test"], b"Subject: from info\r\n\r\nx\r\n") == {}
    [stored] = owned.wait_messages("bob@example.test", 1)
    assert stored.startswith(b"Return-Path: <info@example.test>")


def test_check_disabled_allows_any_sender(owned):
    owned.set_live(smtp__check_sender_login="false")
    with _as_alice(owned) as c:
        code, text = c.cmd("MAIL FROM:<bob@example.test>")
        assert code == 250, text


def test_lan_not_exempt_by_default(owned):
    with _as_alice(owned, source=LAN_IP) as c:
        assert c.cmd("MAIL FROM:<bob@example.test>")[0] == 553


def test_lan_exemption_setting(owned):
    owned.set_live(smtp__sender_login_lan_exempt="true")
    with _as_alice(owned, source=LAN_IP) as c:
        assert c.cmd("MAIL FROM:<bob@example.test>")[0] == 250
    with _as_alice(owned, source=OUTSIDE_IP) as c:
        assert c.cmd("MAIL FROM:<bob@example.test>")[0] == 553


def test_refused_sender_leaves_session_usable(owned):
    with _as_alice(owned) as c:
        assert c.cmd("MAIL FROM:<bob@example.test>")[0] == 553
        assert c.cmd("RCPT TO:<bob@example.test>")[0] == 503  # no transaction open
        assert c.cmd("MAIL FROM:<alice@example.test>")[0] == 250
        assert c.cmd("RCPT TO:<bob@example.test>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send("Subject: after refusal\r\n\r\nx\r\n.\r\n")
        assert c.reply()[0] == 250
    [stored] = owned.wait_messages("bob@example.test", 1)
    assert stored.startswith(b"Return-Path: <alice@example.test>")

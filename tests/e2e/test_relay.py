"""Relay rules (GEN-1, GEN-2, RLY-3): who may send to non-local domains. The server is never
an open relay, whatever the settings. network.lan=127.0.0.2/32: 127.0.0.2 is the LAN,
127.0.0.3 the outside."""
import pytest

from conftest import LAN_IP, OUTSIDE_IP, plain_token


def _rcpt(d, rcpt, source, service="smtp", auth=None, sender="x@elsewhere.test"):
    """Returns (code, text) of the RCPT reply (or of MAIL if MAIL failed)."""
    if auth:
        c = d.raw(service, source=source)
        c.ehlo()
        assert c.cmd("STARTTLS")[0] == 220
        c.starttls()
        c.ehlo()
        code, text = c.cmd("AUTH PLAIN " + plain_token(*auth))
        assert code == 235, text
    else:
        c = d.raw(service, source=source)
        c.ehlo()
    with c:
        code, text = c.cmd(f"MAIL FROM:<{sender}>")
        if code != 250:
            return code, text
        return c.cmd(f"RCPT TO:<{rcpt}>")


def _queued_remote(d):
    return [line for line in d.queue_list() if "route=remote" in line]


def test_outside_unauthenticated_cannot_relay(mailserver):
    d = mailserver()
    code, text = _rcpt(d, "friend@remote.test", OUTSIDE_IP)
    assert (code, text[4:9]) == (554, "5.7.1"), text
    assert d.queue_list() == []


def test_outside_relay_refused_for_every_recipient(mailserver):
    """Refusal does not depend on recipient syntax tricks (source routes, case, literal)."""
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        for rcpt in ["<FRIEND@REMOTE.TEST>", "<@example.test:friend@remote.test>",
                     "<friend@[192.0.2.1]>", "<friend@example.test.remote.test>"]:
            code, text = c.cmd("RCPT TO:" + rcpt)
            assert code == 554, (rcpt, text)
        assert c.cmd("DATA")[0] == 554  # no valid recipients
    assert d.queue_list() == []


def test_lan_relays_and_message_is_queued_remote(mailserver):
    d = mailserver()
    with d.smtp(source=LAN_IP) as c:
        c.ehlo("printer.lan")
        refused = c.sendmail("scanner@example.test", ["friend@remote.test"], b"Subject: scan\r\n\r\nscan\r\n")
    assert refused == {}
    [line] = _queued_remote(d)
    assert "<scanner@example.test> -> <friend@remote.test>" in line
    assert "route=remote" in line


def test_outside_authenticated_may_relay(mailserver):
    d = mailserver()
    code, text = _rcpt(d, "friend@remote.test", OUTSIDE_IP, "submission",
                       auth=("alice@example.test", "alice-secret-1"), sender="alice@example.test")
    assert code == 250, text
    code, text = _rcpt(d, "friend@remote.test", OUTSIDE_IP, "smtp",
                       auth=("alice@example.test", "alice-secret-1"), sender="alice@example.test")
    assert code == 250, text


def test_outside_authenticated_relay_queued(mailserver):
    d = mailserver()
    with d.smtp("submissions", source=OUTSIDE_IP) as c:
        c.ehlo("laptop")
        c.login("alice@example.test", "alice-secret-1")
        assert c.sendmail("alice@example.test", ["friend@remote.test"], b"Subject: out\r\n\r\nx\r\n") == {}
    [line] = _queued_remote(d)
    assert "<alice@example.test> -> <friend@remote.test>" in line


def test_lan_needs_auth_when_lan_skip_auth_off(mailserver):
    d = mailserver(smtp__lan_skip_auth="false")
    code, text = _rcpt(d, "friend@remote.test", LAN_IP)
    assert (code, text[4:9]) == (554, "5.7.1"), text
    code, text = _rcpt(d, "friend@remote.test", LAN_IP, auth=("alice@example.test", "alice-secret-1"),
                       sender="alice@example.test")
    assert code == 250, text


@pytest.mark.parametrize("lan_skip_auth", ["true", "false"])
def test_require_auth_off_is_never_an_open_relay(mailserver, lan_skip_auth):
    d = mailserver(smtp__require_auth="false", smtp__lan_skip_auth=lan_skip_auth)
    for service in ("smtp", "submission"):
        code, text = _rcpt(d, "friend@remote.test", OUTSIDE_IP, service)
        assert code in (530, 554), (service, text)
        assert text[4:7] == "5.7", text
    assert d.queue_list() == []


def test_local_recipients_accepted_from_anyone_on_smtp(mailserver):
    d = mailserver(smtp__lan_skip_auth="false")
    for src in (OUTSIDE_IP, LAN_IP, "127.0.0.9"):
        code, text = _rcpt(d, "alice@example.test", src)
        assert code == 250, (src, text)


def test_submission_requires_auth_from_outside(mailserver):
    d = mailserver()
    with d.raw("submission", source=OUTSIDE_IP) as c:
        c.ehlo()
        code, text = c.cmd("MAIL FROM:<alice@example.test>")
        assert (code, text[4:9]) == (530, "5.7.0"), text
    # even for a local recipient, and even after TLS
    with d.raw("submission", source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("STARTTLS")[0] == 220
        c.starttls()
        c.ehlo()
        code, text = c.cmd("MAIL FROM:<x@elsewhere.test>")
        assert (code, text[4:9]) == (530, "5.7.0"), text
    with d.raw_tls("submissions", source=OUTSIDE_IP) as c:
        c.ehlo()
        code, text = c.cmd("MAIL FROM:<x@elsewhere.test>")
        assert (code, text[4:9]) == (530, "5.7.0"), text


def test_lan_relay_change_applies_to_running_daemon(mailserver):
    """Taking an address out of network.lan ends its relay right without a restart."""
    d = mailserver()
    assert _rcpt(d, "friend@remote.test", LAN_IP)[0] == 250
    d.set_live(network__lan="127.0.0.4/32")
    code, text = _rcpt(d, "friend@remote.test", LAN_IP)
    assert code == 554, text

"""TLS-2, RequireTLS (RFC 8689): REQUIRETLS offered and accepted only under TLS, the flag
stored with the queued mail, +requiretls addresses and smtp.requiretls_rules; outbound,
flagged mail goes only over verified TLS to an MX validated by MTA-STS (DNSSEC is the
other way, tested with signed zones in test_requiretls_dnssec.py; dnsmasq here does not
sign, so here it is always "not validated") and otherwise bounces with a DSN. Real peers
on loopback (sts_world.py)."""
import ssl

import pytest

from conftest import tls_context
from peers import SENDER, send, wait_delivery
from sts_world import World, policy_text


@pytest.fixture
def world(tmp_path, daemon_factory):
    w = World(tmp_path, daemon_factory)
    yield w
    w.close()


def send_requiretls(d, rcpt, marker="<requiretls-test@mail.example.test>", header=""):
    """MAIL FROM with REQUIRETLS after STARTTLS; returns the queue id."""
    with d.raw() as c:
        c.ehlo()
        assert c.cmd("STARTTLS")[0] == 220
        c.starttls()
        assert "REQUIRETLS" in c.ehlo()
        code, text = c.cmd(f"MAIL FROM:<{SENDER}> REQUIRETLS")
        assert code == 250, text
        code, text = c.cmd(f"RCPT TO:<{rcpt}>")
        assert code == 250, text
        assert c.cmd("DATA")[0] == 354
        code, text = c.cmd(f"From: <{SENDER}>\r\nTo: <{rcpt}>\r\nSubject: requiretls\r\nMessage-ID: {marker}\r\n{header}"
                           "\r\nsecret\r\n.")
        assert code == 250, text
        return text.split("queued as ")[1].split()[0]


def sts_domain(world, requiretls_mx=True, tls="good"):
    world.mx("mx1.sts.test", "127.0.0.21", tls=tls, requiretls=requiretls_mx)
    world.domain("sts.test", ["mx1.sts.test"], policy=policy_text("enforce", "mx1.sts.test"))


def bounce_status(d, count=1):
    bounces = d.wait_messages(SENDER, count)
    return bounces[-1].decode(errors="replace")


# ------------------------------------------------------------------------- inbound
def test_requiretls_advertised_only_under_tls_and_refused_in_clear(daemon_factory):
    from peers import outbound_daemon
    d = outbound_daemon(daemon_factory)
    with d.raw() as c:
        assert "REQUIRETLS" not in c.ehlo()
        code, text = c.cmd(f"MAIL FROM:<{SENDER}> REQUIRETLS")
        assert code == 530 and "5.7.10" in text, text
        assert c.cmd("STARTTLS")[0] == 220
        c.starttls()
        assert "REQUIRETLS" in c.ehlo()
        code, text = c.cmd(f"MAIL FROM:<{SENDER}> REQUIRETLS=yes")
        assert code == 501, text
        code, text = c.cmd(f"MAIL FROM:<{SENDER}> REQUIRETLS")
        assert code == 250, text


def test_requiretls_off_is_neither_offered_nor_accepted(daemon_factory):
    from peers import outbound_daemon
    d = outbound_daemon(daemon_factory, smtp__requiretls="false")
    with d.raw() as c:
        c.ehlo()
        assert c.cmd("STARTTLS")[0] == 220
        c.starttls()
        assert "REQUIRETLS" not in c.ehlo()
        code, text = c.cmd(f"MAIL FROM:<{SENDER}> REQUIRETLS")
        assert code == 555, text


# ------------------------------------------------------------------------- outbound
def test_requiretls_delivered_over_verified_tls_to_sts_validated_mx_and_passed_on(world):
    sts_domain(world)
    d = world.start()
    qid = send_requiretls(d, "carol@sts.test", marker="<rt-ok@mail.example.test>")
    line = wait_delivery(d, qid, "carol@sts.test", "sent")
    assert "verified" in line, line
    got = world.mxs["mx1.sts.test"].wait_marker("<rt-ok@mail.example.test>")
    assert got["tls"] is True
    assert "REQUIRETLS" in got["mail"], got["mail"]


def test_requiretls_bounces_when_next_hop_lacks_requiretls(world):
    sts_domain(world, requiretls_mx=False)
    d = world.start()
    qid = send_requiretls(d, "carol@sts.test", marker="<rt-530@mail.example.test>")
    line = wait_delivery(d, qid, "carol@sts.test", "bounced")
    assert "REQUIRETLS" in line, line
    dsn = bounce_status(d)
    assert "Status: 5.7.30" in dsn, dsn
    assert world.mxs["mx1.sts.test"].with_marker("<rt-530@mail.example.test>") == []


def test_requiretls_bounces_when_mx_is_not_validated(world):
    # No MTA-STS policy and no DNSSEC: the MX names cannot be trusted.
    world.mx("mx1.plain.test", "127.0.0.21", tls="good", requiretls=True)
    world.domain("plain.test", ["mx1.plain.test"], txt=None)
    d = world.start()
    qid = send_requiretls(d, "carol@plain.test", marker="<rt-unvalidated@mail.example.test>")
    line = wait_delivery(d, qid, "carol@plain.test", "bounced")
    assert "validated neither by an MTA-STS policy" in line, line
    assert "Status: 5.7.10" in bounce_status(d)
    assert world.mxs["mx1.plain.test"].sessions == 0


def test_requiretls_bounces_on_bad_certificate_rather_than_deferring(world):
    sts_domain(world, tls="wrong")
    d = world.start()
    qid = send_requiretls(d, "carol@sts.test", marker="<rt-cert@mail.example.test>")
    line = wait_delivery(d, qid, "carol@sts.test", "bounced")
    assert "no verified TLS session" in line, line
    assert "Status: 5.7.10" in bounce_status(d)
    assert world.mxs["mx1.sts.test"].transactions == []


def test_requiretls_wins_over_tls_required_no_header(world):
    sts_domain(world, tls="wrong")
    d = world.start()
    qid = send_requiretls(d, "carol@sts.test", marker="<rt-header@mail.example.test>", header="TLS-Required: No\r\n")
    wait_delivery(d, qid, "carol@sts.test", "bounced")
    assert world.mxs["mx1.sts.test"].transactions == []


def test_plus_requiretls_address_flags_and_is_removed(world):
    # The tag asks for validated TLS; REQUIRETLS itself is not passed on (the MX lacks it).
    sts_domain(world, requiretls_mx=False)
    world.mx("mx1.plain.test", "127.0.0.22", tls=None)
    world.domain("plain.test", ["mx1.plain.test"], txt=None)
    d = world.start()
    qid, marker = send(d, ["carol+requiretls@sts.test", "dan+requiretls@plain.test"])
    wait_delivery(d, qid, "carol@sts.test", "sent")
    got = world.mxs["mx1.sts.test"].wait_marker(marker)
    assert got["rcpts"] == ["<carol@sts.test>"] and got["tls"] is True
    assert "REQUIRETLS" not in got["mail"]
    wait_delivery(d, qid, "dan@plain.test", "bounced")
    assert "Status: 5.7.10" in bounce_status(d)
    assert world.mxs["mx1.plain.test"].sessions == 0, "flagged mail travelled in clear"


def test_plus_requiretls_for_local_user_is_delivered_to_the_user(daemon_factory):
    from peers import outbound_daemon
    d = outbound_daemon(daemon_factory)
    qid, marker = send(d, "alice+requiretls@example.test")
    [msg] = d.wait_messages(SENDER, 1)
    assert marker.encode() in msg


def test_rule_flags_mail_for_a_domain(world):
    world.mx("mx1.plain.test", "127.0.0.22", tls=None)
    world.domain("plain.test", ["mx1.plain.test"], txt=None)
    d = world.start(smtp__requiretls_rules="plain.test")
    qid, marker = send(d, "dan@plain.test")
    line = wait_delivery(d, qid, "dan@plain.test", "bounced")
    assert "RequireTLS (rule)" in line, line
    assert world.mxs["mx1.plain.test"].sessions == 0


def test_requiretls_skips_an_mx_without_requiretls_for_one_with_it(world):
    world.mx("mx1.sts.test", "127.0.0.21", tls="good", requiretls=False)
    world.mx("mx2.sts.test", "127.0.0.22", tls="good", requiretls=True)
    world.domain("sts.test", ["mx1.sts.test", "mx2.sts.test"], policy=policy_text("enforce", "*.sts.test"))
    d = world.start()
    qid = send_requiretls(d, "carol@sts.test", marker="<rt-second@mail.example.test>")
    wait_delivery(d, qid, "carol@sts.test", "sent")
    got = world.mxs["mx2.sts.test"].wait_marker("<rt-second@mail.example.test>")
    assert "REQUIRETLS" in got["mail"] and got["tls"] is True
    assert world.mxs["mx1.sts.test"].transactions == []


def test_bad_rule_is_refused_and_old_value_stays(daemon_factory):
    d = daemon_factory(start=False)
    d.set(smtp__requiretls_rules="partner.test,boss@example.test")
    res = d.cli("config", "set", "smtp.requiretls_rules", "partner.test,not a domain!", check=False)
    assert res.returncode != 0
    assert "smtp.requiretls_rules" in res.stderr and "not a domain!" in res.stderr, res.stderr
    assert "partner.test,boss@example.test" in d.cli("config", "get", "smtp.requiretls_rules").stdout


def test_requiretls_mail_waits_when_the_mx_is_unreachable_and_shows_its_flag(world):
    # A network failure is not a TLS failure: the message waits (and keeps its flag).
    from peers import queue_lines
    world.domain("sts.test", ["down.sts.test"], policy=policy_text("enforce", "*.sts.test"))
    world.records.append(("down.sts.test", "A", "127.0.0.25"))  # nothing listens there
    d = world.start()
    qid = send_requiretls(d, "carol@sts.test", marker="<rt-down@mail.example.test>")
    wait_delivery(d, qid, "carol@sts.test", "deferred")
    [entry] = queue_lines(d, qid)
    assert "requiretls=mail" in entry, entry
    assert d.messages(SENDER) == []

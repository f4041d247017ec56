"""RFC 5321 §4.5.1: postmaster is accepted for every hosted domain, and bare
"RCPT TO:<Postmaster>" too; GEN-6: postmaster.recipients chooses who reads it."""
from conftest import OUTSIDE_IP


def _send(d, rcpt_line, subject):
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        code, text = c.cmd(rcpt_line)
        assert code == 250, text
        assert c.cmd("DATA")[0] == 354
        code, text = c.cmd(f"Subject: {subject}\r\n\r\nhello postmaster\r\n.")
        assert code == 250, text


def test_postmaster_without_alias_reaches_first_user(mailserver):
    d = mailserver()
    _send(d, "RCPT TO:<Postmaster>", "bare")
    _send(d, "RCPT TO:<POSTMASTER@example.test>", "qualified")
    msgs = d.wait_messages("alice@example.test", 2)
    assert any(b"Subject: bare" in m for m in msgs) and any(b"Subject: qualified" in m for m in msgs)
    assert d.messages("bob@example.test") == []


def test_postmaster_recipients_setting_and_explicit_alias(mailserver):
    d = mailserver(start=False)
    d.set(postmaster__recipients="bob@example.test")
    d.start()
    _send(d, "RCPT TO:<postmaster@example.test>", "to-bob")
    [m] = d.wait_messages("bob@example.test", 1)
    assert b"Subject: to-bob" in m
    bad = d.cli("config", "set", "postmaster.recipients", "not an address", check=False)
    assert bad.returncode == 1 and "postmaster.recipients" in bad.stderr


def test_other_unknown_users_still_refused(mailserver):
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        code, text = c.cmd("RCPT TO:<postmistress@example.test>")
        assert (code, text[4:9]) == (550, "5.1.1"), text

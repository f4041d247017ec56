"""Local delivery: users, aliases, +tags, alias loops, unknown users, and content fidelity."""
import smtplib

import pytest

from conftest import OUTSIDE_IP


def _send(d, rcpts, body=b"Subject: t\r\n\r\nhello\r\n", sender="someone@elsewhere.test"):
    with d.smtp(source=OUTSIDE_IP) as c:
        c.ehlo("client.test")
        refused = c.sendmail(sender, rcpts, body)
    assert refused == {}


def test_deliver_to_user_only_that_user(mailserver):
    d = mailserver()
    _send(d, ["bob@example.test"], b"Subject: for bob\r\n\r\nbody for bob\r\n")
    [stored] = d.wait_messages("bob@example.test", 1)
    assert b"Subject: for bob" in stored
    assert b"Delivered-To: bob@example.test\r\n" in stored
    assert d.messages("alice@example.test") == []


def test_alias_with_several_targets_reaches_each_once(mailserver):
    d = mailserver(start=False)
    d.add_alias("team@example.test", "alice@example.test", "bob@example.test")
    d.start()
    _send(d, ["team@example.test"], b"Subject: team mail\r\n\r\nfor the team\r\n")
    [a] = d.wait_messages("alice@example.test", 1)
    [b] = d.wait_messages("bob@example.test", 1)
    for stored in (a, b):
        assert b"Subject: team mail" in stored and b"for the team" in stored
    assert b"Delivered-To: alice@example.test" in a
    assert b"Delivered-To: bob@example.test" in b


def test_alias_and_its_target_both_as_rcpt_delivers_once(mailserver):
    d = mailserver(start=False)
    d.add_alias("team@example.test", "alice@example.test", "bob@example.test")
    d.start()
    _send(d, ["team@example.test", "alice@example.test"], b"Subject: dup\r\n\r\nonce\r\n")
    d.wait_messages("alice@example.test", 1)
    d.wait_messages("bob@example.test", 1)
    # Once the queue is empty every delivery has happened: there must be no duplicate.
    d.wait_queue_empty()
    assert len(d.messages("alice@example.test")) == 1
    assert len(d.messages("bob@example.test")) == 1


def test_plus_tag_delivers_to_user(mailserver):
    d = mailserver()
    _send(d, ["alice+shopping@example.test"], b"Subject: tagged\r\n\r\ntagged body\r\n")
    [stored] = d.wait_messages("alice@example.test", 1)
    assert b"Subject: tagged" in stored
    assert not (d.data_dir / "mail" / "example.test" / "alice+shopping").exists()


def test_alias_loop_refused_at_rcpt(mailserver):
    d = mailserver(start=False)
    d.add_alias("ping@example.test", "pong@example.test")
    d.add_alias("pong@example.test", "ping@example.test")
    d.start()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        code, text = c.cmd("RCPT TO:<ping@example.test>")
        assert code == 550 and "5.4.6" in text, text
        # the session goes on: a good recipient is still accepted
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250


def test_unknown_local_user_refused_at_rcpt(mailserver):
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        code, text = c.cmd("RCPT TO:<nobody@example.test>")
        assert (code, text[4:9]) == (550, "5.1.1"), text
        assert c.cmd("RCPT TO:<bob@example.test>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send("Subject: partial\r\n\r\nok\r\n.\r\n")
        assert c.reply()[0] == 250
    d.wait_messages("bob@example.test", 1)
    assert not (d.data_dir / "mail" / "example.test" / "nobody").exists()


def test_smtplib_reports_unknown_user(mailserver):
    d = mailserver()
    with d.smtp(source=OUTSIDE_IP) as c:
        c.ehlo("client.test")
        with pytest.raises(smtplib.SMTPRecipientsRefused) as exc:
            c.sendmail("x@elsewhere.test", ["ghost@example.test"], b"Subject: x\r\n\r\nx\r\n")
    code, text = exc.value.recipients["ghost@example.test"]
    assert code == 550 and text.startswith(b"5.1.1")


def test_utf8_body_and_address_intact_with_smtputf8(mailserver):
    d = mailserver()
    body = ("From: Jürgen <jürgen@exämple.test>\r\nSubject: =?utf-8?q?gr=C3=BC=C3=9Fe?=\r\n\r\n"
            "Grüße aus Köln – 東京 🎉\r\nline two\r\n").encode()
    with d.raw(source=OUTSIDE_IP) as c:
        assert "SMTPUTF8" in c.ehlo()
        assert c.cmd("MAIL FROM:<jürgen@exämple.test> SMTPUTF8 BODY=8BITMIME")[0] == 250
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send(body + b".\r\n")
        assert c.reply()[0] == 250
    [stored] = d.wait_messages("alice@example.test", 1)
    assert stored.endswith(body)
    assert "Return-Path: <jürgen@exämple.test>".encode() in stored


def test_utf8_sender_without_smtputf8_refused(mailserver):
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        code, text = c.cmd("MAIL FROM:<jürgen@exämple.test>")
        assert code == 501 and "5.1.7" in text, text


def test_dot_stuffing_removed(mailserver):
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send(b"Subject: dots\r\n\r\n..\r\n...leading dots\r\nmid.dle\r\n..\r\nend\r\n.\r\n")
        assert c.reply()[0] == 250
    [stored] = d.wait_messages("alice@example.test", 1)
    assert stored.endswith(b"Subject: dots\r\n\r\n.\r\n..leading dots\r\nmid.dle\r\n.\r\nend\r\n")


def test_smtplib_content_round_trip(mailserver):
    """smtplib dot-stuffs for us; the stored body must be the original byte for byte."""
    d = mailserver()
    body = b"Subject: rt\r\n\r\n.starts with a dot\r\n.\r\n\ttab line\r\n" + bytes(range(0x80, 0x100)) + b"\r\n"
    _send(d, ["alice@example.test"], body)
    [stored] = d.wait_messages("alice@example.test", 1)
    assert stored.endswith(body)


def test_received_header_added_first(mailserver):
    d = mailserver()
    with d.smtp(source=OUTSIDE_IP) as c:
        c.ehlo("sender.client.test")
        c.sendmail("x@elsewhere.test", ["alice@example.test"], b"Subject: r\r\n\r\nx\r\n")
    [stored] = d.wait_messages("alice@example.test", 1)
    headers = stored.split(b"\r\n\r\n", 1)[0]
    lines = headers.split(b"\r\n")
    assert lines[0] == b"Return-Path: <x@elsewhere.test>"
    assert lines[1] == b"Delivered-To: alice@example.test"
    assert lines[2].startswith(b"Received: from sender.client.test ([127.0.0.3])")
    received = headers[headers.index(b"Received:"):headers.index(b"Subject:")]
    assert b"by mail.example.test" in received
    assert b"with ESMTP" in received
    assert b"for <alice@example.test>" in received
    assert headers.count(b"Received:") == 1


def test_null_sender_accepted(mailserver):
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<>")[0] == 250
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send("Subject: bounce\r\n\r\nx\r\n.\r\n")
        assert c.reply()[0] == 250
    [stored] = d.wait_messages("alice@example.test", 1)
    assert stored.startswith(b"Return-Path: <>\r\n")


def test_swaks_delivery(mailserver):
    import subprocess
    d = mailserver()
    res = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(d.ports["smtp"]),
                          "--local-interface", OUTSIDE_IP, "--from", "s@elsewhere.test",
                          "--to", "bob@example.test", "--header", "Subject: via swaks",
                          "--body", "swaks body"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    [stored] = d.wait_messages("bob@example.test", 1)
    assert b"Subject: via swaks" in stored and b"swaks body" in stored


def test_received_header_omits_for_with_several_recipients(mailserver):
    """With several recipients the Received header must not disclose them (Bcc privacy)."""
    d = mailserver()
    _send(d, ["alice@example.test", "bob@example.test"], b"Subject: two\r\n\r\nx\r\n")
    for who in ("alice@example.test", "bob@example.test"):
        [stored] = d.wait_messages(who, 1)
        headers = stored.split(b"\r\n\r\n", 1)[0]
        assert b"for <" not in headers
        assert b"@example.test>" not in headers.split(b"Received:", 1)[1]


def test_helo_with_control_characters_cannot_inject_headers(mailserver):
    """A HELO name carrying a bare CR must not create a header line in the stored message
    (RFC 5322 forbids bare CR in headers; several MUAs treat it as a line break)."""
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        code, text = c.cmd("EHLO evil\rX-Injected:yes")
        if code == 250:
            assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
            assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
            assert c.cmd("DATA")[0] == 354
            c.send("Subject: helo\r\n\r\nx\r\n.\r\n")
            assert c.reply()[0] == 250
        else:
            assert code == 501, text
    if code == 250:
        [stored] = d.wait_messages("alice@example.test", 1)
        headers = stored.split(b"\r\n\r\n", 1)[0]
        assert b"\rX-Injected" not in headers, headers


def test_plus_tag_on_alias(mailserver):
    d = mailserver(start=False)
    d.add_alias("team@example.test", "alice@example.test", "bob@example.test")
    d.start()
    _send(d, ["team+news@example.test"], b"Subject: tagged alias\r\n\r\nx\r\n")
    d.wait_messages("alice@example.test", 1)
    d.wait_messages("bob@example.test", 1)


def test_alias_to_remote_address_is_forwarded_not_refused(mailserver):
    """An alias that forwards outside is a local recipient: accepted from anyone, queued remote."""
    d = mailserver(start=False)
    d.add_alias("fwd@example.test", "friend@remote.test", "alice@example.test")
    d.start()
    _send(d, ["fwd@example.test"], b"Subject: forward me\r\n\r\nx\r\n")
    d.wait_messages("alice@example.test", 1)
    remote = [l for l in d.queue_list() if "route=remote" in l]
    assert len(remote) == 1 and "<friend@remote.test>" in remote[0], remote


def test_alias_partial_loop_still_reaches_real_user(mailserver):
    d = mailserver(start=False)
    d.add_alias("a@example.test", "b@example.test", "alice@example.test")
    d.add_alias("b@example.test", "a@example.test")
    d.start()
    _send(d, ["b@example.test"], b"Subject: loopish\r\n\r\nx\r\n")
    d.wait_messages("alice@example.test", 1)
    d.wait_queue_empty()
    assert len(d.messages("alice@example.test")) == 1


def test_large_message_intact(mailserver):
    import hashlib
    import os
    d = mailserver(smtp__max_message_size_mb=2)
    lines = [os.urandom(300).hex().encode() for _ in range(2500)]  # 600-char lines, ~1.5 MB
    body = b"Subject: big one\r\n\r\n" + b"\r\n".join(lines) + b"\r\n"
    _send(d, ["alice@example.test"], body)
    [stored] = d.wait_messages("alice@example.test", 1, timeout=60)
    assert hashlib.sha256(stored[-len(body):]).hexdigest() == hashlib.sha256(body).hexdigest()


def test_nul_byte_never_silently_truncates(mailserver):
    d = mailserver()
    body = b"Subject: nul\r\n\r\nbefore\x00after\r\nlast line\r\n"
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send(body + b".\r\n")
        code, text = c.reply()
    if code == 250:
        [stored] = d.wait_messages("alice@example.test", 1)
        assert stored.endswith(body)
    else:
        assert 500 <= code < 600, text

"""The submission service completes a client's message (Message-ID, Date); the MX port
("smtp") passes messages through untouched."""
import email.utils
import re

from conftest import OUTSIDE_IP, LAN_IP, plain_token

BARE = b"From: alice@example.test\r\nTo: bob@example.test\r\nSubject: bare\r\n\r\nno id, no date\r\n"


def _submit(d, service, body):
    with d.smtp(service, source=OUTSIDE_IP) as c:
        c.ehlo("laptop")
        if service == "submission":
            c.starttls(context=__import__("conftest").tls_context())
            c.ehlo("laptop")
        c.login("alice@example.test", "alice-secret-1")
        assert c.sendmail("alice@example.test", ["bob@example.test"], body) == {}


def _headers(stored):
    return stored.split(b"\r\n\r\n", 1)[0]


def test_submissions_adds_message_id_and_date(mailserver):
    d = mailserver()
    _submit(d, "submissions", BARE)
    [stored] = d.wait_messages("bob@example.test", 1)
    h = _headers(stored).decode()
    ids = re.findall(r"^Message-ID: (<[^>]+>)\r?$", h, re.M | re.I)
    assert len(ids) == 1, h
    assert ids[0].endswith("@mail.example.test>")
    dates = re.findall(r"^Date: ([^\r\n]+)", h, re.M)
    assert len(dates) == 1, h
    assert email.utils.parsedate_to_datetime(dates[0]) is not None
    assert stored.endswith(b"\r\n\r\nno id, no date\r\n")


def test_submission_starttls_adds_headers(mailserver):
    d = mailserver()
    _submit(d, "submission", BARE)
    [stored] = d.wait_messages("bob@example.test", 1)
    h = _headers(stored)
    assert re.search(rb"^Message-ID: <", h, re.M | re.I)
    assert re.search(rb"^Date: ", h, re.M)


def test_submission_keeps_existing_message_id_and_date(mailserver):
    d = mailserver()
    body = (b"From: alice@example.test\r\nDate: Mon, 2 Feb 2026 10:00:00 +0100\r\n"
            b"Message-ID: <mine@laptop.example.test>\r\nSubject: has both\r\n\r\nx\r\n")
    _submit(d, "submissions", body)
    [stored] = d.wait_messages("bob@example.test", 1)
    h = _headers(stored)
    assert h.lower().count(b"message-id:") == 1
    assert b"Message-ID: <mine@laptop.example.test>" in h
    assert len(re.findall(rb"^Date:", h, re.M)) == 1


def test_submission_detects_headers_case_insensitively(mailserver):
    d = mailserver()
    body = b"message-id: <x@y.test>\r\nDATE: Mon, 2 Feb 2026 10:00:00 +0100\r\nSubject: s\r\n\r\nx\r\n"
    _submit(d, "submissions", body)
    [stored] = d.wait_messages("bob@example.test", 1)
    h = _headers(stored).lower()
    assert h.count(b"message-id:") == 1
    assert h.count(b"\r\ndate:") == 1


def test_message_id_in_body_does_not_count(mailserver):
    d = mailserver()
    body = b"Subject: s\r\n\r\nMessage-ID: <in-body@x.test>\r\nDate: not a header\r\n"
    _submit(d, "submissions", body)
    [stored] = d.wait_messages("bob@example.test", 1)
    h = _headers(stored)
    assert re.search(rb"^Message-ID: <.+@mail\.example\.test>\r?$", h, re.M | re.I)
    assert re.search(rb"^Date: ", h, re.M)


def test_smtp_port_does_not_add_headers(mailserver):
    d = mailserver()
    for src in (OUTSIDE_IP, LAN_IP):
        with d.smtp("smtp", source=src) as c:
            c.ehlo("mx.elsewhere.test")
            assert c.sendmail("someone@elsewhere.test", ["bob@example.test"], BARE) == {}
    for stored in d.wait_messages("bob@example.test", 2):
        h = _headers(stored).lower()
        assert b"message-id:" not in h
        assert b"\r\ndate:" not in h
        assert stored.endswith(BARE)

"""SMTP smuggling (CVE-2023-51766 family) and bare line endings: only <CRLF>.<CRLF> ends
DATA. Anything else stays inside the one message and is never executed as a command."""
import pytest

from conftest import OUTSIDE_IP

SMUGGLED = (b"MAIL FROM:<ceo@example.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
            b"Subject: smuggled\r\n\r\nwire the money\r\n")


def _data_session(d, payload, settings=None):
    """Sends `payload` (which must end with the real terminator) in DATA; returns the
    reply to it and the reply to a following NOOP."""
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send(payload)
        first = c.reply()
        after = c.cmd("NOOP")
        return first, after


@pytest.mark.parametrize("fake_end", [b"\n.\n", b"\r\n.\n", b"\n.\r\n", b"\r.\r\n", b"\r\n.\r", b"\r.\r"],
                         ids=["LF.LF", "CRLF.LF", "LF.CRLF", "CR.CRLF", "CRLF.CR", "CR.CR"])
def test_fake_end_of_data_does_not_end_message(mailserver, fake_end):
    d = mailserver()
    payload = b"Subject: innocent\r\n\r\nhello" + fake_end + SMUGGLED + b".\r\n"
    first, after = _data_session(d, payload)
    assert first[0] == 250, first
    # Had the smuggled commands run, NOOP would first see their replies.
    assert after == (250, "250 2.0.0 Ok"), after
    [stored] = d.wait_messages("alice@example.test", 1)
    assert b"Subject: innocent" in stored
    assert b"MAIL FROM:<ceo@example.test>" in stored
    assert b"wire the money" in stored
    assert d.messages("bob@example.test") == []
    assert d.queue_list() == []


def test_bare_lf_lines_normalized_to_crlf(mailserver):
    d = mailserver()
    first, _ = _data_session(d, b"Subject: lf\n\nline one\nline two\r\n.\r\n")
    assert first[0] == 250
    [stored] = d.wait_messages("alice@example.test", 1)
    assert stored.endswith(b"Subject: lf\r\n\r\nline one\r\nline two\r\n")


def test_bare_cr_kept_as_content(mailserver):
    d = mailserver()
    first, _ = _data_session(d, b"Subject: cr\r\n\r\nab\rcd\r\n.\r\n")
    assert first[0] == 250
    [stored] = d.wait_messages("alice@example.test", 1)
    assert stored.endswith(b"\r\n\r\nab\rcd\r\n")


@pytest.mark.parametrize("fake_end", [b"\n.\n", b"\r\n.\n", b"\n.\r\n"], ids=["LF.LF", "CRLF.LF", "LF.CRLF"])
def test_bare_newline_reject(mailserver, fake_end):
    d = mailserver(smtp__bare_newline="reject")
    payload = b"Subject: innocent\r\n\r\nhello" + fake_end + SMUGGLED + b".\r\n"
    first, after = _data_session(d, payload)
    assert (first[0], first[1][4:9]) == (550, "5.5.2"), first
    assert after == (250, "250 2.0.0 Ok"), after
    assert d.queue_list() == []
    assert d.messages("alice@example.test") == []
    assert d.messages("bob@example.test") == []


def test_bare_newline_reject_clean_message_passes(mailserver):
    d = mailserver(smtp__bare_newline="reject")
    first, _ = _data_session(d, b"Subject: clean\r\n\r\nab\rcd\r\n.\r\n")
    assert first[0] == 250, first
    d.wait_messages("alice@example.test", 1)


def test_smuggled_message_in_following_packet(mailserver):
    """The fake terminator and the smuggled commands arrive in separate writes."""
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send(b"Subject: split\r\n\r\nhello\n.\n")
        c.send(b"MAIL FROM:<ceo@example.test>\r\n")
        c.send(b"RCPT TO:<bob@example.test>\r\n")
        c.send(b"\r\n.\r\n")
        assert c.reply()[0] == 250
        assert c.cmd("NOOP") == (250, "250 2.0.0 Ok")
    [stored] = d.wait_messages("alice@example.test", 1)
    assert b"RCPT TO:<bob@example.test>" in stored
    assert d.messages("bob@example.test") == []


def test_real_terminator_ends_message(mailserver):
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send(b"Subject: one\r\n\r\nbody\r\n.\r\nMAIL FROM:<y@elsewhere.test>\r\n")
        assert c.reply()[0] == 250
        assert c.reply()[0] == 250  # the MAIL after the real end is a command
    [stored] = d.wait_messages("alice@example.test", 1)
    assert stored.endswith(b"\r\n\r\nbody\r\n")

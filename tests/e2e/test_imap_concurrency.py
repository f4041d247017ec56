"""Several IMAP sessions on one mailbox see each other's changes (EXISTS, EXPUNGE,
FETCH FLAGS), and an IDLE session hears of mail delivered over SMTP to the same daemon."""
import select
import time

from imap_helpers import RawImap, connect, imap_daemon, send_mail


def read_until(c, predicate, timeout=10):
    """Reads lines until one satisfies predicate; fails after `timeout` seconds of silence."""
    lines = []
    c.sock.settimeout(timeout)
    while True:
        line = c.line()
        assert line, f"connection closed; got {lines}"
        lines.append(line)
        if predicate(line):
            return lines


def test_two_sessions_see_each_others_changes(mailserver):
    d = imap_daemon(mailserver)
    a = connect(d)
    b = connect(d)
    for i in range(3):
        a.append("INBOX", None, None, f"Subject: m{i}\r\n\r\nbody\r\n".encode())
    a.select("INBOX")
    b.select("INBOX")
    b.untagged_responses.clear()  # imaplib keeps SELECT's EXISTS
    # a flags and deletes; b hears of it on its next command
    a.store("1", "+FLAGS", r"(\Seen)")
    b.noop()
    assert b.untagged_responses.pop("FETCH") == [b"1 (UID 1 FLAGS (\\Seen))"]
    a.store("2", "+FLAGS", r"(\Deleted)")
    a.expunge()
    b.noop()
    assert b.untagged_responses.pop("EXPUNGE") == [b"2"]
    a.append("INBOX", None, None, b"Subject: new\r\n\r\nnew\r\n")
    b.noop()
    assert b.untagged_responses.pop("EXISTS") == [b"3"]
    typ, data = b.fetch("3", "(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert data[0][0].startswith(b"3 (UID 4") and data[0][1] == b"Subject: new\r\n\r\n"


def test_expunge_waits_during_fetch_by_sequence_number(mailserver):
    d = imap_daemon(mailserver)
    a = connect(d)
    for i in range(2):
        a.append("INBOX", r"(\Deleted)" if i == 0 else None, None, f"Subject: m{i}\r\n\r\nb\r\n".encode())
    a.select("INBOX")
    with RawImap(d) as b:
        b.login()
        b.cmd("s", "SELECT INBOX")
        a.expunge()
        # FETCH by sequence number must not see renumbering under it (RFC 3501 §7.4.1)
        lines = b.cmd("f", "FETCH 2 (UID)")
        assert b"* 2 FETCH (UID 2)\r\n" in lines and not any(b"EXPUNGE" in l for l in lines)
        lines = b.cmd("n", "NOOP")
        assert b"* 1 EXPUNGE\r\n" in lines


def test_idle_hears_of_other_sessions(mailserver):
    d = imap_daemon(mailserver)
    a = connect(d)
    a.append("INBOX", None, None, b"Subject: first\r\n\r\nx\r\n")
    with RawImap(d) as b:
        b.login()
        b.cmd("s", "SELECT INBOX")
        b.send("i1 IDLE\r\n")
        assert b.line().startswith(b"+ ")
        a.select("INBOX")
        a.store("1", "+FLAGS", r"(\Flagged)")
        # b selected first: the message is \Recent there
        read_until(b, lambda l: l == b"* 1 FETCH (UID 1 FLAGS (\\Flagged \\Recent))\r\n")
        b.send("DONE\r\n")
        assert b.until_tagged("i1")[-1].startswith(b"i1 OK")


def test_idle_woken_by_smtp_delivery(mailserver):
    d = imap_daemon(mailserver)
    with RawImap(d) as c:
        c.login()
        lines = c.cmd("s", "SELECT INBOX")
        assert b"* 0 EXISTS\r\n" in lines
        c.send("i1 IDLE\r\n")
        assert c.line().startswith(b"+ ")
        send_mail(d, "alice@example.test", subject="wake up")
        lines = read_until(c, lambda l: l.endswith(b" EXISTS\r\n"))
        assert lines[-1] == b"* 1 EXISTS\r\n"
        c.send("DONE\r\n")
        c.until_tagged("i1")
        lines = c.cmd("f", "FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert b"Subject: wake up\r\n\r\n" in lines


def test_idle_done_with_wrong_word(mailserver):
    d = imap_daemon(mailserver)
    with RawImap(d) as c:
        c.login()
        c.send("i1 IDLE\r\n")
        assert c.line().startswith(b"+ ")
        c.send("NOPE\r\n")
        assert c.until_tagged("i1")[-1].startswith(b"i1 BAD")
        assert c.cmd("n", "NOOP")[-1].startswith(b"n OK")

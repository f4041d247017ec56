"""\\Recent (RFC 3501 §2.3.2): a message is recent in the first session that selects its
mailbox after it arrived, and only there; EXAMINE shows it without taking it; SELECT's
RECENT count, STATUS RECENT, SEARCH RECENT / NEW / OLD and FETCH FLAGS agree."""
import imaplib

import pytest

from imap_helpers import RawImap, connect, imap_daemon, send_mail
from test_imap_concurrency import read_until


def add(m, subject, flags=None):
    assert m.append("INBOX", flags, None, f"Subject: {subject}\r\n\r\nbody\r\n".encode())[0] == "OK"


def recent_of(m):
    """The RECENT count of the last SELECT/EXAMINE or update, as imaplib collected it."""
    return m.untagged_responses.pop("RECENT", [None])[-1]


def flags(m, seq):
    typ, data = m.fetch(seq, "(FLAGS)")
    assert typ == "OK"
    return data


def search(m, *keys):
    typ, data = m.search(None, *keys)
    assert typ == "OK"
    return data[0].split()


def test_recent_goes_to_the_first_select_only(mailserver):
    d = imap_daemon(mailserver)
    feeder = connect(d)
    add(feeder, "one")
    add(feeder, "two", r"(\Seen)")
    assert feeder.status("INBOX", "(RECENT MESSAGES)")[1] == [b'"INBOX" (RECENT 2 MESSAGES 2)']

    # EXAMINE shows them recent and leaves them so
    e = connect(d)
    e.select("INBOX", readonly=True)
    assert recent_of(e) == b"2"
    assert flags(e, "1:2") == [b"1 (FLAGS (\\Recent))", b"2 (FLAGS (\\Seen \\Recent))"]
    e.close()
    assert feeder.status("INBOX", "(RECENT)")[1] == [b'"INBOX" (RECENT 2)']

    first = connect(d)
    first.select("INBOX")
    assert recent_of(first) == b"2"
    assert flags(first, "1:2") == [b"1 (FLAGS (\\Recent))", b"2 (FLAGS (\\Seen \\Recent))"]
    assert search(first, "RECENT") == [b"1", b"2"]
    assert search(first, "NEW") == [b"1"]
    assert search(first, "OLD") == []
    # \Recent stays through flag changes in this session, and cannot be stored
    first.store("1", "FLAGS", r"(\Flagged)")
    assert flags(first, "1") == [b"1 (FLAGS (\\Flagged \\Recent))"]
    with pytest.raises(imaplib.IMAP4.error, match="Invalid flag"):
        first.store("1", "+FLAGS", r"(\Recent)")

    second = connect(d)
    second.select("INBOX")
    assert recent_of(second) == b"0"
    assert flags(second, "1:2") == [b"1 (FLAGS (\\Flagged))", b"2 (FLAGS (\\Seen))"]
    assert search(second, "RECENT") == []
    assert search(second, "OLD") == [b"1", b"2"]
    assert second.status("INBOX", "(RECENT)")[1] == [b'"INBOX" (RECENT 0)']
    # the first session keeps its \Recent
    assert search(first, "RECENT") == [b"1", b"2"]


def test_new_mail_is_recent_in_exactly_one_of_two_selected_sessions(mailserver):
    d = imap_daemon(mailserver)
    feeder = connect(d)
    add(feeder, "old")
    with RawImap(d) as a, RawImap(d) as b:
        a.login()
        b.login()
        assert b"* 1 RECENT\r\n" in a.cmd("s", "SELECT INBOX")
        assert b"* 0 RECENT\r\n" in b.cmd("s", "SELECT INBOX")
        add(feeder, "new")
        lines_a = a.cmd("n", "NOOP")
        lines_b = b.cmd("n", "NOOP")
        assert b"* 2 EXISTS\r\n" in lines_a and b"* 2 EXISTS\r\n" in lines_b
        # a heard first: the new message is recent there (with its old one), not in b
        assert b"* 2 RECENT\r\n" in lines_a
        assert b"* 0 RECENT\r\n" in lines_b
        assert b"* 2 FETCH (FLAGS (\\Recent))\r\n" in a.cmd("f", "FETCH 2 (FLAGS)")
        assert b"* 2 FETCH (FLAGS ())\r\n" in b.cmd("f", "FETCH 2 (FLAGS)")
        assert b"* SEARCH 1 2\r\n" in b.cmd("r", "SEARCH OLD")
        assert b"* SEARCH 1 2\r\n" in a.cmd("r", "SEARCH NEW")


def test_examine_never_takes_recent(mailserver):
    d = imap_daemon(mailserver)
    feeder = connect(d)
    with RawImap(d) as e:
        e.login()
        assert b"* 0 RECENT\r\n" in e.cmd("x", "EXAMINE INBOX")
        add(feeder, "arrives while examined")
        lines = e.cmd("n", "NOOP")
        assert b"* 1 EXISTS\r\n" in lines and b"* 1 RECENT\r\n" in lines
        assert b"* SEARCH 1\r\n" in e.cmd("r", "SEARCH NEW")
        # still recent for the next session that selects the mailbox
        assert b"* 1 RECENT\r\n" in e.cmd("x2", "EXAMINE INBOX")
    s = connect(d)
    s.select("INBOX")
    assert recent_of(s) == b"1"
    s.logout()
    again = connect(d)
    again.select("INBOX")
    assert recent_of(again) == b"0"


def test_recent_is_remembered_across_a_restart(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d)
    add(m, "seen by a session")
    m.select("INBOX")
    assert recent_of(m) == b"1"
    m.logout()
    d.stop()
    d.start()
    m = connect(d)
    add(m, "after the restart")
    m.select("INBOX")
    assert recent_of(m) == b"1"
    assert search(m, "RECENT") == [b"2"]


def test_mail_delivered_during_idle_is_recent_in_the_idling_session(mailserver):
    d = imap_daemon(mailserver)
    with RawImap(d) as idler, RawImap(d) as other:
        idler.login()
        other.login()
        idler.cmd("s", "SELECT INBOX")
        other.cmd("s", "SELECT INBOX")
        idler.send("i1 IDLE\r\n")
        assert idler.line().startswith(b"+ ")
        send_mail(d, "alice@example.test", subject="while idling")
        lines = read_until(idler, lambda l: l.endswith(b" RECENT\r\n"), timeout=30)
        assert lines[-2:] == [b"* 1 EXISTS\r\n", b"* 1 RECENT\r\n"]
        idler.send("DONE\r\n")
        idler.until_tagged("i1")
        assert b"* 1 FETCH (FLAGS (\\Recent))\r\n" in idler.cmd("f", "FETCH 1 (FLAGS)")
        # the other selected session hears of the message, not of its \Recent
        lines = other.cmd("n", "NOOP")
        assert b"* 1 EXISTS\r\n" in lines and b"* 0 RECENT\r\n" in lines

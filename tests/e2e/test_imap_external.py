"""Other programs writing to the Maildir (a delivery agent dropping into new/, a tool
renaming or removing files in cur/) are heard by IMAP sessions through inotify: an IDLE
session gets EXISTS, FETCH FLAGS and EXPUNGE without sending anything. With inotify
working the daemon does not poll idling sessions, so these can only pass through it."""
import os
import time

from imap_helpers import RawImap, connect, imap_daemon
from test_imap_concurrency import read_until


def maildir(d, address="alice@example.test"):
    return d.mailbox(address).parent


def drop(folder, name, text):
    """Writes a message the Maildir way: into tmp/, then renamed into new/."""
    tmp = folder / "tmp" / name
    tmp.write_bytes(text)
    os.rename(tmp, folder / "new" / name)


def cur_files(folder):
    return sorted(os.listdir(folder / "cur"))


def test_file_dropped_into_new_is_heard_while_idling(mailserver):
    d = imap_daemon(mailserver)
    connect(d).logout()  # creates the Maildir
    box = maildir(d)
    with RawImap(d) as c:
        c.login()
        assert b"* 0 EXISTS\r\n" in c.cmd("s", "SELECT INBOX")
        c.send("i1 IDLE\r\n")
        assert c.line().startswith(b"+ ")
        drop(box, f"{int(time.time())}.external1.host", b"Subject: dropped\r\n\r\nfrom another tool\r\n")
        lines = read_until(c, lambda l: l.endswith(b" EXISTS\r\n"), timeout=30)
        assert lines[-1] == b"* 1 EXISTS\r\n"
        c.send("DONE\r\n")
        assert c.until_tagged("i1")[-1].startswith(b"i1 OK")
        lines = c.cmd("f", "FETCH 1 (UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
        assert b"Subject: dropped\r\n\r\n" in lines


def test_other_programs_flag_changes_and_removals_are_heard_while_idling(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d)
    for i in range(2):
        m.append("INBOX", None, None, f"Subject: m{i}\r\n\r\nbody\r\n".encode())
    m.logout()
    box = maildir(d)
    with RawImap(d) as c:
        c.login()
        assert b"* 2 EXISTS\r\n" in c.cmd("s", "SELECT INBOX")
        files = cur_files(box)
        assert len(files) == 2 and all(f.endswith(":2,") for f in files)
        c.send("i1 IDLE\r\n")
        assert c.line().startswith(b"+ ")
        # a Maildir tool marks the first message seen and flagged: its name's info changes
        first, second = files
        os.rename(box / "cur" / first, box / "cur" / (first + "FS"))
        # (An IMAP server may send other untagged FETCH lines at any time: wait for the one
        # that carries the new flags.)
        lines = read_until(c, lambda l: b" FETCH " in l and b"\\Flagged" in l, timeout=30)
        # (recent in this session, the first to select them)
        assert lines[-1] == b"* 1 FETCH (UID 1 FLAGS (\\Flagged \\Seen \\Recent))\r\n", lines
        # ... and removes the second
        os.unlink(box / "cur" / second)
        lines = read_until(c, lambda l: l.endswith(b" EXPUNGE\r\n"), timeout=30)
        assert lines[-1] == b"* 2 EXPUNGE\r\n"
        c.send("DONE\r\n")
        assert c.until_tagged("i1")[-1].startswith(b"i1 OK")


def test_two_idle_sessions_and_a_drop_into_another_folder(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d)
    assert m.create("Lists")[0] == "OK"
    m.logout()
    lists = maildir(d) / ".Lists"
    with RawImap(d) as a, RawImap(d) as b:
        a.login()
        b.login()
        a.cmd("s", "SELECT Lists")
        b.cmd("s", "SELECT INBOX")
        for c in (a, b):
            c.send("i1 IDLE\r\n")
            assert c.line().startswith(b"+ ")
        drop(lists, f"{int(time.time())}.external2.host", b"Subject: list mail\r\n\r\nx\r\n")
        assert read_until(a, lambda l: l.endswith(b" EXISTS\r\n"), timeout=30)[-1] == b"* 1 EXISTS\r\n"
        # the INBOX session heard nothing: DONE is answered with no update before it
        b.send("DONE\r\n")
        assert b.until_tagged("i1") == [b"i1 OK IDLE terminated\r\n"]
        a.send("DONE\r\n")
        a.until_tagged("i1")

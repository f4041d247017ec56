"""IMAP message commands: APPEND (literals, LITERAL+, flags, date, APPENDUID), FETCH items
(ENVELOPE, BODYSTRUCTURE, sections, partials, \\Seen), SEARCH keys, STORE, COPY / MOVE with
COPYUID, EXPUNGE / UID EXPUNGE, CLOSE / UNSELECT / EXAMINE, huge literals refused, and an
index that survives a restart."""
import imaplib
import re
import time

import pytest

from imap_helpers import RawImap, connect, imap_daemon, send_mail

MULTIPART = (
    b"From: =?utf-8?q?J=C3=B6rg?= <jorg@example.test>\r\n"
    b"To: alice@example.test\r\n"
    b"Subject: Quarterly report\r\n"
    b"Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
    b"Message-ID: <report-1@example.test>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    b"\r\n"
    b"--XX\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"\r\n"
    b"Numbers are up.\r\n"
    b"--XX\r\n"
    b"Content-Type: application/pdf; name=report.pdf\r\n"
    b"Content-Transfer-Encoding: base64\r\n"
    b"Content-Disposition: attachment; filename=report.pdf\r\n"
    b"\r\n"
    b"JVBERi0xLjQK\r\n"
    b"--XX--\r\n"
)


def fetch_text(m, seq, items):
    typ, data = m.fetch(seq, items)
    assert typ == "OK", data
    return data


def test_append_and_fetch(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d)
    typ, data = m.append("INBOX", r"(\Flagged)", '"07-Feb-1994 21:52:25 -0800"', MULTIPART)
    assert typ == "OK"
    uidvalidity, uid = re.match(rb"\[APPENDUID (\d+) (\d+)\]", data[0]).groups()
    assert uid == b"1"
    m.select("INBOX")
    data = fetch_text(m, "1", "(UID FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)")
    head = data[0].decode() if isinstance(data[0], bytes) else data[0][0].decode()
    assert "UID 1" in head and "FLAGS (\\Flagged \\Recent)" in head  # first to select it
    assert 'INTERNALDATE "08-Feb-1994 05:52:25 +0000"' in head
    assert f"RFC822.SIZE {len(MULTIPART)}" in head
    assert '"Quarterly report"' in head and '"<report-1@example.test>"' in head
    assert '"jorg" "example.test"' in head

    data = fetch_text(m, "1", "(BODYSTRUCTURE)")
    bs = data[0].decode()
    assert '("text" "plain" ("charset" "utf-8") NIL NIL "7bit" 15 1' in bs
    assert '"application" "pdf" ("name" "report.pdf") NIL NIL "base64" 12' in bs
    assert '("attachment" ("filename" "report.pdf"))' in bs and '"mixed"' in bs

    data = fetch_text(m, "1", "(BODY.PEEK[1] BODY.PEEK[2.MIME] BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY.PEEK[]<0.4>)")
    parts = {item[0].decode().split(" {")[0].split("(")[-1].split(" ")[-1]: item[1] for item in data if isinstance(item, tuple)}
    assert parts["BODY[1]"] == b"Numbers are up."
    assert b"Content-Disposition: attachment" in parts["BODY[2.MIME]"]
    raw = b"".join(item[1] for item in data if isinstance(item, tuple))
    assert b"Subject: Quarterly report\r\n\r\n" in raw
    assert parts["BODY[]<0>"] == b"From"  # the partial <0.4>
    # BODY.PEEK left \Seen alone; BODY[] sets it
    assert b"\\Seen" not in fetch_text(m, "1", "(FLAGS)")[0]
    data = fetch_text(m, "1", "(BODY[TEXT])")
    assert b"\\Seen" in data[0][0]
    assert fetch_text(m, "1", "(RFC822)")[0][1] == MULTIPART


def test_append_with_literal_plus_and_empty_mailbox_fetch(mailserver):
    d = imap_daemon(mailserver)
    with RawImap(d) as c:
        c.login()
        msg = b"Subject: plus\r\n\r\nno round trip\r\n"
        c.send(b"p1 APPEND Drafts (\\Draft) {%d+}\r\n" % len(msg) + msg + b"\r\n")
        assert re.match(rb"p1 OK \[APPENDUID \d+ 1\]", c.until_tagged("p1")[-1])
        c.send(b"p2 APPEND Drafts {%d}\r\n" % len(msg))
        assert c.line().startswith(b"+ ")
        c.send(msg + b"\r\n")
        assert re.match(rb"p2 OK \[APPENDUID \d+ 2\]", c.until_tagged("p2")[-1])
        c.cmd("p3", "SELECT Trash")
        assert c.cmd("p4", "FETCH 1:* FLAGS")[-1].startswith(b"p4 OK")
        assert c.cmd("p5", "UID FETCH 1:* FLAGS")[-1].startswith(b"p5 OK")


def test_huge_literals_are_refused_before_they_are_sent(mailserver):
    d = imap_daemon(mailserver, imap__max_append_mb=1)
    with RawImap(d) as c:
        # Before login the limit is small: no one gets to make the server buffer megabytes.
        c.send("h0 LOGIN {100000}\r\n")
        assert c.line().startswith(b"h0 NO [TOOBIG]")
        c.login()
        c.send("h1 APPEND INBOX {2000000}\r\n")
        assert c.line().startswith(b"h1 NO [TOOBIG]")
        assert c.cmd("h2", "NOOP")[-1].startswith(b"h2 OK")  # nothing was read as a command
        c.send("h3 APPEND INBOX {2000000+}\r\n")
        lines = [c.line(), c.line()]
        assert lines[0].startswith(b"h3 BAD [TOOBIG]") and lines[1].startswith(b"* BYE")
    m = connect(d)
    assert m.select("INBOX")[1] == [b"0"]


def test_search(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d)
    m.append("INBOX", r"(\Seen)", '"01-Jan-2020 10:00:00 +0000"', MULTIPART)
    m.append("INBOX", None, '"01-Mar-2021 10:00:00 +0000"',
             b"From: bob@example.test\r\nSubject: =?utf-8?q?caf=C3=A9?= meeting\r\nDate: Tue, 2 Mar 2021 10:00:00 +0000\r\n\r\nSee you there\r\n")
    m.append("INBOX", r"(\Deleted $Important)", None, b"Subject: third\r\n\r\n" + b"x" * 5000 + b"\r\n")
    m.select("INBOX")
    cases = {
        ("ALL",): b"1 2 3", ("SEEN",): b"1", ("UNSEEN",): b"2 3", ("DELETED",): b"3",
        ("KEYWORD", "$Important"): b"3", ("FROM", "bob"): b"2", ("SUBJECT", "report"): b"1",
        ("BODY", "numbers"): b"1", ("TEXT", '"see you"'): b"2", ("LARGER", "4000"): b"3",
        ("SMALLER", "200"): b"2", ("BEFORE", "1-Jan-2021"): b"1", ("SINCE", "1-Jan-2021"): b"2 3",
        ("SENTBEFORE", "1-Jan-2000"): b"1", ("SENTON", "2-Mar-2021"): b"2",
        ("OR", "SEEN", "DELETED"): b"1 3", ("NOT", "SEEN"): b"2 3", ("2:*",): b"2 3",
        ("HEADER", "Message-ID", "report-1"): b"1", ("UID", "2"): b"2", ("NEW",): b"2 3", ("UNDELETED", "UNSEEN"): b"2",
        ("RECENT",): b"1 2 3", ("OLD",): b"",
    }
    for criteria, expected in cases.items():
        typ, data = m.search(None, *criteria)
        assert (typ, data[0]) == ("OK", expected), criteria
    typ, data = m.search("UTF-8", "SUBJECT", "café".encode())
    assert data[0] == b"2"
    typ, data = m.uid("SEARCH", "SUBJECT", "third")
    assert data[0] == b"3"


def test_store_copy_move_expunge(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d)
    for i in range(1, 6):
        m.append("INBOX", None, None, f"Subject: m{i}\r\n\r\nbody {i}\r\n".encode())
    m.select("INBOX")
    # (\Recent: this session is the first to select them)
    assert m.store("1", "+FLAGS", r"(\Seen $Work)")[1] == [b"1 (FLAGS (\\Seen $Work \\Recent))"]
    assert m.store("1", "-FLAGS", "($Work)")[1] == [b"1 (FLAGS (\\Seen \\Recent))"]
    assert m.store("2", "FLAGS.SILENT", r"(\Answered)")[1] == [None]
    assert m.uid("STORE", "3", "+FLAGS", r"(\Flagged)")[1] == [b"3 (UID 3 FLAGS (\\Flagged \\Recent))"]
    with pytest.raises(imaplib.IMAP4.error, match="BAD"):
        m.store("1", "+FLAGS", r"(\Bogus)")
    # flags live in the Maildir file names too
    cur = sorted(p.name for p in (d.data_dir / "mail/example.test/alice/cur").iterdir())
    assert sum(name.endswith(":2,S") for name in cur) == 1 and sum(name.endswith(":2,R") for name in cur) == 1

    typ, data = m.copy("1:2", "Archive")
    assert typ == "OK" and re.match(rb"\[COPYUID \d+ 1:2 1:2\]", data[0])
    typ, data = m.copy("1", "Nowhere")
    assert typ == "NO" and data[0].startswith(b"[TRYCREATE]")
    typ, data = m._simple_command("MOVE", "4", "Trash")
    assert typ == "OK"
    assert m.untagged_responses.get("EXPUNGE") == [b"4"]
    m.untagged_responses.clear()
    typ, data = m._simple_command("UID", "MOVE", "5", "Trash")
    assert typ == "OK"
    assert m.select("Trash")[1] == [b"2"]
    assert fetch_text(m, "1:2", "(UID BODY.PEEK[HEADER.FIELDS (SUBJECT)])")[0][1] == b"Subject: m4\r\n\r\n"
    m.select("INBOX")
    assert m.store("1:3", "+FLAGS", r"(\Deleted)")[0] == "OK"
    assert m.uid("EXPUNGE", "2")[0] == "OK"
    assert m.untagged_responses.pop("EXPUNGE") == [b"2"]
    assert m.expunge()[1] == [b"2", b"1"]
    assert m.select("INBOX")[1] == [b"0"]
    typ, data = m.status("Archive", "(MESSAGES)")
    assert b"MESSAGES 2" in data[0]


def test_close_unselect_examine(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d)
    m.append("Junk", r"(\Deleted)", None, b"Subject: spam\r\n\r\nspam\r\n")
    m.append("Junk", None, None, b"Subject: ham\r\n\r\nham\r\n")
    m.select("Junk", readonly=True)
    assert m.store("1", "+FLAGS", r"(\Seen)")[0] == "NO"
    assert fetch_text(m, "2", "(BODY[])") and b"\\Seen" not in fetch_text(m, "2", "(FLAGS)")[0]
    assert m.close()[0] == "OK"  # read-only: nothing expunged
    m.select("Junk")
    assert m._simple_command("UNSELECT")[0] == "OK"
    m.select("Junk")
    assert m.close()[0] == "OK"
    assert m.select("Junk")[1] == [b"1"]


def test_index_survives_restart_and_follows_external_changes(mailserver):
    d = imap_daemon(mailserver)
    send_mail(d, "alice@example.test", subject="one")
    send_mail(d, "alice@example.test", subject="two")
    d.wait_messages("alice@example.test", 2)
    m = connect(d)
    m.select("INBOX")
    m.store("1", "+FLAGS", r"(\Flagged)")
    uidvalidity = m.response("UIDVALIDITY")
    m.logout()
    d.stop()
    d.start()
    m = connect(d)
    m.select("INBOX")
    assert m.response("UIDVALIDITY") == uidvalidity
    assert fetch_text(m, "1:*", "(UID FLAGS)") == [b"1 (UID 1 FLAGS (\\Flagged))", b"2 (UID 2 FLAGS ())"]
    # Another program deletes a file and drops one into new/
    cur = d.data_dir / "mail/example.test/alice/cur"
    victim = [p for p in cur.iterdir() if not p.name.endswith("F")][0]
    victim.unlink()
    (d.data_dir / "mail/example.test/alice/new/1.dropped.host").write_bytes(b"Subject: dropped\n\nby hand\n")
    # The files are looked at again at most once a second: poll as a client would.
    deadline = time.time() + 20
    while "EXPUNGE" not in m.untagged_responses and time.time() < deadline:
        m.noop()
        time.sleep(0.2)
    assert m.untagged_responses.get("EXPUNGE") == [b"2"]
    assert fetch_text(m, "2", "(UID RFC822.SIZE)")[0] == b"2 (UID 3 RFC822.SIZE 29)"

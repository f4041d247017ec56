"""IMAP mailbox management: SPECIAL-USE folders for every user, LIST/LSUB wildcards with
CHILDREN attributes, CREATE / RENAME / DELETE / SUBSCRIBE / STATUS, modified UTF-7 names,
names that could escape the Maildir refused, unknown mailboxes answered with a code."""
import imaplib

import pytest

from imap_helpers import RawImap, connect, imap_daemon


def names(listing):
    out = {}
    for line in listing:
        attrs, rest = line.decode().split(") ", 1)
        out[rest.split(" ", 1)[1].strip('"')] = attrs.lstrip("(").split()
    return out


def test_special_use_folders_exist_for_every_user(mailserver):
    d = imap_daemon(mailserver)
    for user in [("alice@example.test", "alice-secret-1"), ("bob@example.test", "bob-secret-22")]:
        m = connect(d, user)
        typ, listing = m.list()
        got = names(listing)
        assert set(got) == {"INBOX", "Sent", "Drafts", "Trash", "Junk", "Archive"}
        for folder in ["Sent", "Drafts", "Trash", "Junk", "Archive"]:
            assert "\\" + folder in got[folder]
        assert set(names(m.lsub()[1])) >= {"Sent", "Drafts", "Trash", "Junk", "Archive"}
        m.logout()
    # Dovecot's layout on disk
    assert (d.data_dir / "mail/example.test/bob/.Sent/cur").is_dir()


def test_create_list_rename_delete(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d)
    assert m.create("Work")[0] == "OK"
    assert m.create("Work.2026")[0] == "OK"
    assert m.create("Projects.Alpha")[0] == "OK"  # parent implied
    typ, data = m.create("Work")
    assert typ == "NO" and b"[ALREADYEXISTS]" in data[0]
    got = names(m.list()[1])
    assert "\\HasChildren" in got["Work"] and "\\HasNoChildren" in got["Work.2026"]
    assert "\\Noselect" in got["Projects"]
    assert set(names(m.list('""', "Work%")[1])) == {"Work"}
    assert set(names(m.list('""', "Work*")[1])) == {"Work", "Work.2026"}
    assert set(names(m.list("Work.", "%")[1])) == {"Work.2026"}
    assert m.list('""', '""')[1][0] == b'(\\Noselect) "." ""'
    assert m.rename("Work", "Jobs")[0] == "OK"
    assert set(names(m.list('""', "Jobs*")[1])) == {"Jobs", "Jobs.2026"}
    typ, data = m.rename("Nope", "Other")
    assert typ == "NO" and b"[NONEXISTENT]" in data[0]
    assert m.delete("Jobs.2026")[0] == "OK"
    typ, data = m.delete("Jobs.2026")
    assert typ == "NO" and b"[NONEXISTENT]" in data[0]
    typ, data = m.delete("INBOX")
    assert typ == "NO"
    assert m.subscribe("Jobs")[0] == "OK"
    assert "Jobs" in names(m.lsub()[1])
    assert m.unsubscribe("Jobs")[0] == "OK"
    assert "Jobs" not in names(m.lsub()[1])


def test_modified_utf7_names(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d)
    assert m.create("Entw&APw-rfe")[0] == "OK"
    assert "Entw&APw-rfe" in names(m.list()[1])
    assert (d.data_dir / "mail/example.test/alice/.Entw&APw-rfe/cur").is_dir()
    for bad in ["Entw&APw", "caf\xe9"]:
        typ, data = m._simple_command("CREATE", bad.encode("latin-1") if "\xe9" in bad else bad)
        assert typ == "NO", bad


@pytest.mark.parametrize("name", ["../../bob", "a/b", ".hidden", "a..b", "x&AAo-y", "a*b", "~root"])
def test_names_that_could_escape_are_refused(mailserver, name):
    d = imap_daemon(mailserver)
    with RawImap(d) as c:
        c.login()
        lines = c.cmd("n1", f'CREATE "{name}"')
        assert lines[-1].startswith(b"n1 NO [CANNOT]"), lines
        lines = c.cmd("n2", f'SELECT "{name}"')
        assert lines[-1].startswith(b"n2 NO"), lines
    assert sorted(p.name for p in (d.data_dir / "mail/example.test").iterdir()) == ["alice"]


def test_control_characters_in_names_are_refused(mailserver):
    d = imap_daemon(mailserver)
    with RawImap(d) as c:
        c.login()
        c.send('n1 CREATE {3}\r\n')
        assert c.line().startswith(b"+")
        c.send(b"a\tb\r\n")
        assert c.until_tagged("n1")[-1].startswith(b"n1 NO [CANNOT]")


def test_unknown_mailboxes(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d)
    for call in [lambda: m.select("Nope"), lambda: m.status("Nope", "(MESSAGES)"), lambda: m.select("Nope", readonly=True)]:
        typ, data = call()
        assert typ == "NO" and data[0].startswith(b"[NONEXISTENT]")
    typ, data = m.append("Nope", None, None, b"Subject: x\r\n\r\nx\r\n")
    assert typ == "NO" and data[0].startswith(b"[TRYCREATE]")


def test_status(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d)
    m.append("Archive", r"(\Seen)", None, b"Subject: a\r\n\r\na\r\n")
    m.append("Archive", None, None, b"Subject: b\r\n\r\nb\r\n")
    typ, data = m.status("Archive", "(MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)")
    text = data[0].decode()
    assert "MESSAGES 2" in text and "UIDNEXT 3" in text and "UNSEEN 1" in text and "UIDVALIDITY " in text

"""Real IMAP clients against the daemon: mbsync (isync) syncing a mailbox both ways over
implicit TLS, and curl's imap:// (STARTTLS) listing, fetching and uploading."""
import shutil
import subprocess

import pytest

from imap_helpers import ALICE, connect, imap_daemon, send_mail

pytestmark = pytest.mark.skipif(not shutil.which("mbsync") or not shutil.which("curl"),
                                reason="isync and curl come from scripts/deps.sh test")


def run(cmd, **kw):
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=120, **kw)
    assert res.returncode == 0, f"{cmd[0]} failed ({res.returncode}): {res.stdout}\n{res.stderr}"
    return res


def loopback_certificate(tmp_path):
    """mbsync checks the certificate's name against the host it connects to: 127.0.0.1."""
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=DNS:127.0.0.1,IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)])
    return cert, key


def test_mbsync_both_ways(mailserver, tmp_path):
    cert, key = loopback_certificate(tmp_path)
    d = imap_daemon(mailserver, tls__cert_file=str(cert), tls__key_file=str(key))
    send_mail(d, "alice@example.test", subject="from smtp 1")
    send_mail(d, "alice@example.test", subject="from smtp 2")
    d.wait_messages("alice@example.test", 2)
    local = tmp_path / "local"
    local.mkdir()
    config = tmp_path / "mbsyncrc"
    config.write_text(f"""
IMAPAccount postern
Host 127.0.0.1
Port {d.ports["imaps"]}
User {ALICE[0]}
Pass {ALICE[1]}
SSLType IMAPS
CertificateFile {cert}

IMAPStore remote
Account postern

MaildirStore local
Path {local}/
Inbox {local}/INBOX
SubFolders Verbatim

Channel sync
Far :remote:
Near :local:
Patterns INBOX Archive
Create Both
Expunge Both
SyncState *
""")
    mbsync = ["mbsync", "-c", str(config), "-a"]
    run(mbsync)
    pulled = [p for sub in ("cur", "new") for p in (local / "INBOX" / sub).iterdir()]
    assert sorted(b"from smtp" in p.read_bytes() for p in pulled) == [True, True]
    assert (local / "Archive").is_dir()

    # Local changes go up: a new message in Archive, one INBOX message marked read.
    (local / "Archive" / "new" / "1700000000.local1.host").write_bytes(b"Subject: written offline\n\nhi\n")
    first = sorted(pulled)[0]
    flags = first.name.split(":2,")[1] if ":2," in first.name else ""
    target = local / "INBOX" / "cur" / (first.name.split(":2,")[0] + ":2," + "".join(sorted(flags + "S")))
    first.rename(target)
    run(mbsync)
    m = connect(d)
    m.select("Archive")
    typ, data = m.fetch("1:*", "(BODY.PEEK[HEADER.FIELDS (SUBJECT)])")
    assert [item[1] for item in data if isinstance(item, tuple)] == [b"Subject: written offline\r\n\r\n"]
    m.select("INBOX")
    typ, data = m.search(None, "SEEN")
    assert len(data[0].split()) == 1

    # A deletion on the server comes down.
    m.store("1:*", "+FLAGS", r"(\Deleted)")
    m.expunge()
    m.logout()
    run(mbsync)
    left = [p for sub in ("cur", "new") for p in (local / "INBOX" / sub).iterdir()]
    assert left == []


def test_curl_imap(mailserver, tmp_path):
    d = imap_daemon(mailserver)
    send_mail(d, "alice@example.test", subject="for curl", body="curl reads this\r\n")
    d.wait_messages("alice@example.test", 1)
    base = f"imap://127.0.0.1:{d.ports['imap']}"
    auth = ["--ssl-reqd", "-k", "-s", "-S", "-u", f"{ALICE[0]}:{ALICE[1]}"]
    listing = run(["curl", *auth, base + "/"]).stdout
    assert '"Sent"' in listing and "INBOX" in listing and "\\Sent" in listing
    body = run(["curl", *auth, base + "/INBOX;UID=1"]).stdout
    assert "Subject: for curl" in body and "curl reads this" in body
    upload = tmp_path / "up.eml"
    upload.write_bytes(b"Subject: uploaded by curl\r\n\r\nbody\r\n")
    run(["curl", *auth, "-T", str(upload), base + "/Drafts"])
    search = run(["curl", *auth, base + "/Drafts", "-X", "SEARCH SUBJECT curl"]).stdout
    assert search.strip() == "* SEARCH 1"
    # without TLS and outside the plaintext LAN allowance, curl cannot log in
    res = subprocess.run(["curl", "-s", "-u", f"{ALICE[0]}:{ALICE[1]}", base + "/"], capture_output=True, text=True,
                         timeout=60)
    assert res.returncode != 0

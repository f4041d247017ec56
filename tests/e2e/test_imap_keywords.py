"""Keywords live in the Maildir file names the way Dovecot keeps them (dovecot-keywords
numbers them, letters a-z after the system flags in ":2,"), so a real Dovecot reading the
same Maildir sees Postern's keywords, and Postern sees the ones Dovecot sets."""
import imaplib
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from conftest import free_port
from imap_helpers import RawImap, connect, imap_daemon
from test_imap_concurrency import read_until


def start_dovecot(tmp_path, maildir):
    """A private Dovecot (Debian's) on loopback serving `maildir` to user alice. Dovecot
    refuses to read mail as root: its mail process runs as nobody, who is given the Maildir
    (Postern, as root, keeps its access) and a way through the test's folders."""
    if not shutil.which("dovecot"):
        pytest.fail("dovecot is not installed (scripts/deps.sh test installs dovecot-imapd)")
    dv = tmp_path / "dovecot"
    for sub in ("state", "index"):
        (dv / sub).mkdir(parents=True)
    run = tempfile.mkdtemp(prefix="pdv-")  # its sockets' paths must stay short
    for p in [maildir, *maildir.rglob("*"), dv / "index"]:
        shutil.chown(p, "nobody", "nogroup")
    for parent in [maildir, *maildir.parents]:
        if parent == Path("/"):
            break
        parent.chmod(parent.stat().st_mode | 0o001)
    port = free_port()
    conf = dv / "dovecot.conf"
    conf.write_text(f"""base_dir = {run}
state_dir = {dv}/state
log_path = {dv}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
mail_location = maildir:{maildir}:INDEX={dv}/index
first_valid_uid = 1
passdb {{
  driver = static
  args = password=dove-pass
}}
userdb {{
  driver = static
  args = uid=nobody gid=nogroup home={dv}/index
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
""")
    subprocess.run(["dovecot", "-c", str(conf)], check=True)
    for _ in range(100):
        try:
            m = imaplib.IMAP4("127.0.0.1", port, timeout=10)
            return conf, run, m
        except OSError:
            time.sleep(0.1)
    raise AssertionError("dovecot did not listen: " + (dv / "dovecot.log").read_text())


def test_dovecot_and_postern_see_each_others_keywords(mailserver, tmp_path):
    d = imap_daemon(mailserver)
    m = connect(d)
    m.append("INBOX", None, None, b"Subject: tagged\r\n\r\nbody\r\n")
    m.select("INBOX")
    assert m.store("1", "+FLAGS", r"(\Seen $Forwarded Work)")[0] == "OK"
    maildir = d.mailbox("alice@example.test").parent
    assert (maildir / "dovecot-keywords").read_text() == "0 $Forwarded\n1 Work\n"
    [name] = os.listdir(maildir / "cur")
    assert name.endswith(":2,Sab")

    conf, run, dv = start_dovecot(tmp_path, maildir)
    try:
        dv.login("alice", "dove-pass")
        dv.select("INBOX")
        typ, data = dv.fetch("1", "(FLAGS)")
        flags = data[0].decode()
        assert "$Forwarded" in flags and "Work" in flags and "\\Seen" in flags, flags

        # Dovecot sets a keyword of its own while a Postern session idles on the mailbox
        with RawImap(d) as idler:
            idler.login()
            idler.cmd("s", "SELECT INBOX")
            idler.send("i1 IDLE\r\n")
            assert idler.line().startswith(b"+ ")
            assert dv.store("1", "+FLAGS", "(Later)")[0] == "OK"
            dv.close()  # Dovecot writes flag changes to the file names when the mailbox closes
            line = read_until(idler, lambda l: b" FETCH " in l, timeout=30)[-1]
            assert line == b"* 1 FETCH (UID 1 FLAGS (\\Seen $Forwarded Later Work))\r\n"
            idler.send("DONE\r\n")
            idler.until_tagged("i1")
        dv.logout()
    finally:
        subprocess.run(["doveadm", "-c", str(conf), "stop"], check=False)
        shutil.rmtree(run, ignore_errors=True)
    assert "2 Later" in (maildir / "dovecot-keywords").read_text()

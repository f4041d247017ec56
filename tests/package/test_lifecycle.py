"""The package's whole life on a (simulated) NAS: install from the wizard's
answers, start, status, a mail, stop, upgrade to a second build, uninstall
keeping the data, reinstall, uninstall erasing the data.

The scripts run as a non-root user with DSM's variables (see dsm.py).  Every
listener is moved to a free loopback port before the first start.

$POSTERN_LIFECYCLE_ARCHES picks the architectures (default: all packages; the
aarch64 and armv7 ones run under qemu-user, about 45 s each; e.g.
POSTERN_LIFECYCLE_ARCHES=x86_64 for a quick run).
"""
import hashlib
import io
import os
import shutil
import smtplib
import socket
import stat
import tarfile
import time
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest

from spktest import (ARCHES, EMULATOR, LISTENERS, LOADER, Spk, emulator_available, free_port,
                      make_world_dir, spk_path)
from dsm import FakeDSM

LIFECYCLE_ARCHES = os.environ.get("POSTERN_LIFECYCLE_ARCHES", " ".join(ARCHES)).split()
DOMAIN = "example.test"
HOST = "mail.example.test"
WIZARD = {
    "wizard_domain": DOMAIN,
    "wizard_hostname": HOST,
    "wizard_lan": "192.0.2.0/24",
    "wizard_admin_password": "correct horse battery",
    "wizard_admin_password_confirm": "correct horse battery",
}


@pytest.fixture
def dsm_for(request):
    made = []

    def make(arch):
        emulator_available(arch)
        d = FakeDSM(make_world_dir(f"postern-dsm-{arch}-"), arch)
        made.append(d)
        return d
    yield make
    for d in made:
        # never leave a daemon behind, whatever failed
        pid = d.pid()
        if pid:
            try:
                os.kill(pid, 9)
            except OSError:
                pass
        if getattr(request.node, "rep_failed", False):
            print(f"\nkept for inspection: {d.base}")
            continue
        shutil.rmtree(d.base, ignore_errors=True)


def second_build(spk, tmpdir):
    """The same package as a later build: version's build number + 1, and a
    marker file in package.tgz, so the test can see that target/ was replaced."""
    feature, build = spk.info["version"].rsplit("-", 1)
    version = f"{feature}-{int(build) + 1}"
    payload = io.BytesIO()
    with tarfile.open(fileobj=io.BytesIO(spk.files["package.tgz"]), mode="r:gz") as src, \
            tarfile.open(fileobj=payload, mode="w:gz", format=tarfile.GNU_FORMAT) as dst:
        for m in src.getmembers():
            dst.addfile(m, src.extractfile(m) if m.isfile() else None)
        marker = f"second build {version}\n".encode()
        ti = tarfile.TarInfo("share/postern/UPGRADE-MARKER")
        ti.size = len(marker)
        ti.mode = 0o644
        dst.addfile(ti, io.BytesIO(marker))
    tgz = payload.getvalue()
    info = spk.files["INFO"].decode()
    info = info.replace(f'version="{spk.info["version"]}"', f'version="{version}"')
    info = info.replace(spk.info["checksum"], hashlib.md5(tgz).hexdigest())
    out = Path(tmpdir) / f"postern-{spk.arch}-{version}.spk"
    with tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as t:
        for m in spk.members:
            data = {"package.tgz": tgz, "INFO": info.encode()}.get(m.name, spk.files[m.name])
            if data is not None:
                m.size = len(data)
                t.addfile(m, io.BytesIO(data))
            else:
                t.addfile(m)
    return Spk(spk.arch, out)


def use_loopback_ports(dsm):
    ports = {svc: free_port() for svc in LISTENERS}
    words = []
    for svc, port in ports.items():
        words += [f"{svc}.listen", f"127.0.0.1:{port}"]
    dsm.cli("config", "set", *words)
    return ports


def wait_listening(dsm, port, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.settimeout(10)
                if s.recv(512).startswith(b"220"):
                    return
        except OSError:
            pass
        if dsm.status() != 0:
            log = (dsm.var / "log" / "daemon.out")
            raise AssertionError("daemon died: " + (log.read_text() if log.exists() else ""))
        time.sleep(0.2)
    raise AssertionError(f"nothing answers on 127.0.0.1:{port}")


def send_mail(port, to, subject):
    msg = EmailMessage()
    msg["From"] = "sender@elsewhere.test"
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = f"<{uuid.uuid4()}@elsewhere.test>"
    msg.set_content("sent by the package lifecycle test\n")
    with smtplib.SMTP("127.0.0.1", port, timeout=60) as c:
        c.ehlo("client.test")
        assert c.send_message(msg) == {}


def mailbox(dsm, address):
    local, domain = address.split("@")
    return dsm.var / "mail" / domain / local / "new"


def wait_mail(dsm, address, subject, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        box = mailbox(dsm, address)
        if box.is_dir():
            for f in box.iterdir():
                if f"Subject: {subject}".encode() in f.read_bytes():
                    return f
        time.sleep(0.2)
    raise AssertionError(f"no mail with subject {subject!r} in {mailbox(dsm, address)}")


def proc_uid(pid):
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])


@pytest.mark.parametrize("arch", LIFECYCLE_ARCHES)
def test_full_lifecycle(arch, dsm_for, tmp_path):
    spk1 = Spk(arch, spk_path(arch))
    spk2 = second_build(spk1, tmp_path)
    dsm = dsm_for(arch)

    # --- install from the wizard's answers ------------------------------------------------
    rc, msg = dsm.install(spk1, WIZARD, start=False)
    assert rc == 0, msg
    assert "Postern is installed" in msg and "2525" in msg, msg
    assert (dsm.var / "postern.db").is_file()
    assert stat.S_IMODE(dsm.appdata.stat().st_mode) == 0o700, "data folder must be private"
    assert DOMAIN in dsm.cli("domain", "list").stdout.split()
    assert dsm.cli("config", "get", "smtp.hostname").stdout.strip() == HOST
    assert "192.0.2.0/24" in dsm.cli("config", "get", "network.lan").stdout
    # the daemon's default ports are the ones the .sc file registers with DSM
    for svc, port in LISTENERS.items():
        assert dsm.cli("config", "get", f"{svc}.listen").stdout.strip().endswith(f":{port}"), svc

    ports = use_loopback_ports(dsm)
    dsm.cli("user", "add", f"alice@{DOMAIN}", "--password-stdin", input="alice-password-1\n")

    # --- start, status ----------------------------------------------------------------------
    assert dsm.status() == 3
    dsm.start("INSTALL")
    assert dsm.status() == 0
    wait_listening(dsm, ports["smtp"])
    pid = dsm.pid()
    assert pid and Path(f"/proc/{pid}").exists()
    if os.geteuid() == 0:
        assert proc_uid(pid) == 65534, "the daemon must run as the package user, not root"
    maps = Path(f"/proc/{pid}/maps").read_text()
    if not EMULATOR[arch]:
        # the bundled glibc and loader are in use, not the build machine's
        assert f"{dsm.appstore}/lib/libc.so.6" in maps
        assert os.path.realpath(f"/proc/{pid}/exe") == str(dsm.appstore / "lib" / LOADER[arch])

    # starting twice is harmless and keeps the same process
    dsm.ctl("start")
    assert dsm.pid() == pid

    # --- a mail -------------------------------------------------------------------------------
    send_mail(ports["smtp"], f"alice@{DOMAIN}", "before upgrade")
    first = wait_mail(dsm, f"alice@{DOMAIN}", "before upgrade")

    # --- stop ----------------------------------------------------------------------------------
    dsm.stop()
    assert dsm.status() == 3
    assert not Path(f"/proc/{pid}").exists(), "daemon still running after stop"
    assert dsm.pid() is None
    dsm.ctl("stop")  # stopping a stopped package succeeds

    # --- upgrade to the second build, while running -----------------------------------------------
    dsm.start()
    wait_listening(dsm, ports["smtp"])
    msg = dsm.upgrade(spk2)
    assert spk2.info["version"] in msg, msg
    assert (dsm.target / "share/postern/UPGRADE-MARKER").is_file(), "target/ was not replaced"
    assert f'version="{spk2.info["version"]}"' in (dsm.pkgdir / "INFO").read_text()
    assert dsm.status() == 0, "the package was running before the upgrade and must run after it"
    wait_listening(dsm, ports["smtp"])
    assert first.is_file() and b"before upgrade" in first.read_bytes(), "mail lost in upgrade"
    assert f"alice@{DOMAIN}" in dsm.cli("user", "list").stdout
    assert dsm.cli("config", "get", "smtp.hostname").stdout.strip() == HOST
    assert dsm.cli("config", "get", "smtp.listen").stdout.strip() == f"127.0.0.1:{ports['smtp']}"
    backups = list((dsm.var / "backup").glob(f"pre-upgrade-{spk1.info['version']}-*/postern.db"))
    assert len(backups) == 1, "preupgrade did not keep a copy of the database"
    send_mail(ports["smtp"], f"alice@{DOMAIN}", "after upgrade")
    wait_mail(dsm, f"alice@{DOMAIN}", "after upgrade")
    dsm.stop()

    # --- uninstall, keeping the data ------------------------------------------------------------
    msg = dsm.uninstall(keep_data=True)
    assert "mail and settings are kept" in msg, msg
    assert not dsm.appstore.exists()
    assert (dsm.var / "postern.db").is_file()
    assert len(list(mailbox(dsm, f"alice@{DOMAIN}").iterdir())) == 2

    # --- install again: the data is found and kept ------------------------------------------------
    rc, msg = dsm.install(spk2, dict(WIZARD, wizard_admin_password="another password",
                                     wizard_admin_password_confirm="another password"),
                          start=False)
    assert rc == 0, msg
    assert "earlier installation" in msg, msg
    assert f"alice@{DOMAIN}" in dsm.cli("user", "list").stdout
    assert dsm.cli("domain", "list").stdout.split().count(DOMAIN) == 1
    dsm.start()
    wait_listening(dsm, ports["smtp"])
    send_mail(ports["smtp"], f"alice@{DOMAIN}", "after reinstall")
    wait_mail(dsm, f"alice@{DOMAIN}", "after reinstall")

    # --- uninstall, erasing the data ----------------------------------------------------------------
    pid = dsm.pid()
    assert pid and dsm.status() == 0
    msg = dsm.uninstall(keep_data=False)
    assert "all its mail and settings were removed" in msg, msg
    assert not Path(f"/proc/{pid}").exists(), "daemon still running after uninstall"
    assert not dsm.appstore.exists()
    assert dsm.appdata.is_dir(), "the var folder itself belongs to DSM"
    assert list(dsm.appdata.iterdir()) == [], "data left after 'erase'"


# --- what the scripts must refuse or survive -------------------------------------------------------

NATIVE = "x86_64" if "x86_64" in ARCHES else ARCHES[0]


@pytest.mark.parametrize("bad, complaint", [
    ({"wizard_domain": "not a domain"}, "mail domain"),
    ({"wizard_domain": "localhost"}, "mail domain"),
    ({"wizard_hostname": "mail_server"}, "host name"),
    ({"wizard_lan": "192.168.1.0"}, "local networks"),
    ({"wizard_lan": "300.1.1.0/24"}, "local networks"),
    ({"wizard_admin_password": "short", "wizard_admin_password_confirm": "short"}, "10 characters"),
    ({"wizard_admin_password_confirm": "something else"}, "do not match"),
])
def test_preinst_rejects_bad_wizard_answers(bad, complaint, dsm_for):
    dsm = dsm_for(NATIVE)
    rc, msg = dsm.install(Spk(NATIVE, spk_path(NATIVE)), dict(WIZARD, **bad), start=False)
    assert rc != 0
    assert complaint in msg, msg
    assert not dsm.appstore.exists(), "a refused install must not place the package"
    assert not (dsm.var / "postern.db").exists()


def test_silent_install_gets_a_random_admin_password(dsm_for):
    dsm = dsm_for(NATIVE)
    rc, msg = dsm.install(Spk(NATIVE, spk_path(NATIVE)), {}, start=False)
    assert rc == 0, msg
    pw = dsm.var / "initial-admin-password"
    assert pw.is_file() and stat.S_IMODE(pw.stat().st_mode) == 0o600
    assert len(pw.read_text().strip()) >= 16
    assert "initial-admin-password" in msg


def test_status_ignores_stale_or_foreign_pid_files(dsm_for):
    dsm = dsm_for(NATIVE)
    assert dsm.install(Spk(NATIVE, spk_path(NATIVE)), WIZARD, start=False)[0] == 0
    pidfile = dsm.var / "postern.pid"
    pidfile.write_text("999999\n")      # no such process
    assert dsm.status() == 3
    pidfile.write_text(f"{os.getpid()}\n")  # alive, but not Postern (pid reused)
    assert dsm.status() == 3
    pidfile.write_text("garbage\n")
    assert dsm.status() == 3
    assert dsm.ctl("stop")[0] == 0, "stop must succeed when nothing runs"
    assert os.path.exists(f"/proc/{os.getpid()}"), "stop killed a process that was not Postern"


def test_prestart_explains_a_missing_data_folder(dsm_for):
    dsm = dsm_for(NATIVE)
    assert dsm.install(Spk(NATIVE, spk_path(NATIVE)), WIZARD, start=False)[0] == 0
    (dsm.var / "postern.db").unlink()
    rc, msg = dsm.ctl("prestart", check=False)
    assert rc != 0 and "reinstall" in msg, msg


def test_start_reports_a_daemon_that_exits_at_once(dsm_for):
    dsm = dsm_for(NATIVE)
    assert dsm.install(Spk(NATIVE, spk_path(NATIVE)), WIZARD, start=False)[0] == 0
    use_loopback_ports(dsm)
    # a damaged database: the daemon cannot start (prestart is skipped on purpose)
    (dsm.var / "postern.db").write_bytes(b"this is not an SQLite database" * 100)
    for extra in ("postern.db-wal", "postern.db-shm"):
        (dsm.var / extra).unlink(missing_ok=True)
    rc, msg = dsm.ctl("start", check=False)
    assert rc != 0 and "stopped right after starting" in msg, msg
    assert dsm.status() == 3
    # and prestart says so before any start
    rc, msg = dsm.ctl("prestart", check=False)
    assert rc != 0 and "cannot run" in msg, msg


def test_postuninst_never_erases_during_an_upgrade(dsm_for):
    dsm = dsm_for(NATIVE)
    assert dsm.install(Spk(NATIVE, spk_path(NATIVE)), WIZARD, start=False)[0] == 0
    dsm.run(dsm.scripts(), "postuninst", status="UPGRADE",
            wizard={"wizard_erase_data": "true", "wizard_keep_data": "false"})
    assert (dsm.var / "postern.db").is_file()

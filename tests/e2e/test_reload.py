"""A running daemon applies `postern config set` without a restart."""
import socket
import time

import pytest

from conftest import OUTSIDE_IP, free_port


def _greeting(port, timeout=10):
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        return s.makefile("rb").readline()


def _poll(predicate, timeout=15, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{what} not reached within {timeout}s")


def test_banner_change_seen_in_next_greeting(mailserver):
    d = mailserver()
    assert _greeting(d.ports["smtp"]) == b"220 mail.example.test Postern ESMTP\r\n"
    d.set(smtp__banner="Welcome to the NAS")
    _poll(lambda: _greeting(d.ports["smtp"]) == b"220 mail.example.test Welcome to the NAS\r\n",
          what="new banner")
    assert _greeting(d.ports["submission"]) == b"220 mail.example.test Welcome to the NAS\r\n"


def test_hostname_change(mailserver):
    d = mailserver()
    d.set(smtp__hostname="mx2.example.test")
    _poll(lambda: _greeting(d.ports["smtp"]).startswith(b"220 mx2.example.test "), what="new hostname")


def test_listen_port_change(mailserver):
    d = mailserver()
    old = d.ports["smtp"]
    new = free_port()
    d.set(smtp__listen=f"127.0.0.1:{new}")
    _poll(lambda: _greeting(new).startswith(b"220 "), what="listener on the new port")
    d.ports["smtp"] = new
    with d.smtp(source=OUTSIDE_IP) as c:
        c.ehlo("x")
        assert c.sendmail("x@elsewhere.test", ["alice@example.test"], b"Subject: new port\r\n\r\nx\r\n") == {}
    d.wait_messages("alice@example.test", 1)

    def old_closed():
        try:
            socket.create_connection(("127.0.0.1", old), timeout=2).close()
            return False
        except OSError:
            return True
    _poll(old_closed, what="old port closed")


def test_second_listener_added(mailserver):
    d = mailserver()
    extra = free_port()
    d.set(smtp__listen=f"127.0.0.1:{d.ports['smtp']},127.0.0.1:{extra}")
    _poll(lambda: _greeting(extra).startswith(b"220 "), what="second listener")
    assert _greeting(d.ports["smtp"]).startswith(b"220 ")


def test_max_recipients_change_applies(mailserver):
    d = mailserver()
    d.set_live(smtp__max_recipients=1)
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
        assert c.cmd("RCPT TO:<bob@example.test>")[0] == 452
    d.set_live(smtp__max_recipients=3)
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
        assert c.cmd("RCPT TO:<bob@example.test>")[0] == 250


def test_size_change_advertised(mailserver):
    d = mailserver()
    d.set(smtp__max_message_size_mb=3)

    def advertised():
        with d.raw(source=OUTSIDE_IP) as c:
            return f"SIZE {3 * 1024 * 1024}" in c.ehlo()
    _poll(advertised, what="new SIZE")


def test_users_added_while_running(mailserver):
    d = mailserver()
    d.add_user("carol@example.test", "carol-secret-3")
    d.add_alias("c@example.test", "carol@example.test")
    with d.smtp(source=OUTSIDE_IP) as c:
        c.ehlo("x")
        assert c.sendmail("x@elsewhere.test", ["c@example.test"], b"Subject: hi carol\r\n\r\nx\r\n") == {}
    d.wait_messages("carol@example.test", 1)
    with d.smtp("submissions") as c:
        c.ehlo("x")
        assert c.login("carol@example.test", "carol-secret-3")[0] == 235
    d.cli("user", "remove", "carol@example.test")
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        assert c.cmd("RCPT TO:<carol@example.test>")[0] == 550


def test_invalid_setting_refused_and_daemon_keeps_running(mailserver):
    d = mailserver()
    res = d.cli("config", "set", "smtp.max_recipients", "0", check=False)
    assert res.returncode != 0
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        for i in range(3):
            assert c.cmd(f"RCPT TO:<alice+{i}@example.test>")[0] == 250
    assert d.cli("config", "get", "smtp.max_recipients").stdout.strip() == "100"


def test_sighup_reloads_and_keeps_running(mailserver):
    import signal
    d = mailserver()
    before = d.reloads()
    d.proc.send_signal(signal.SIGHUP)
    _poll(lambda: d.reloads() > before, what="reload after SIGHUP")
    assert d.proc.poll() is None
    assert _greeting(d.ports["smtp"]).startswith(b"220 mail.example.test ")

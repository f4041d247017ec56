"""SEC-4 per-client limits (simultaneous connections, connections per minute, messages per
minute), SEC-5 nonexistent-recipient blocking and junk-command limit, and the block list:
each limit just under and just over, on and off; blocks listed and lifted while the daemon
runs. network.lan=127.0.0.2/32; 127.0.0.3 and up are outside hosts."""
import re
import socket

import pytest

from conftest import LAN_IP, OUTSIDE_IP
from security_helpers import MSG, dialogue, greeting, stop_log


def open_session(d, source):
    """A connected socket whose greeting was 220; caller closes it."""
    s = socket.create_connection(("127.0.0.1", d.ports["smtp"]), timeout=20, source_address=(source, 0))
    line = s.makefile("rb").readline()
    assert line.startswith(b"220"), line
    return s


@pytest.mark.parametrize("on", [True, False])
def test_simultaneous_connections_per_client(mailserver, on):
    d = mailserver(security__limit_client_connections=str(on).lower(), security__max_client_connections=2)
    held = [open_session(d, "127.0.0.4"), open_session(d, "127.0.0.4")]  # just under: both greeted
    try:
        code, text = greeting(d, "127.0.0.4")  # just over
        if on:
            assert (code, text[4:9]) == (421, "4.7.0") and "too many connections" in text, text
            assert greeting(d, "127.0.0.5")[0] == 220  # another client is not affected
            assert greeting(d, LAN_IP)[0] == 220
        else:
            assert code == 220, text
    finally:
        for s in held:
            s.close()
    if on:
        d.wait_log("smtp.log", r"disconnect from \[127\.0\.0\.4\][\s\S]*disconnect from \[127\.0\.0\.4\]")
        # once the held sessions ended, the client may connect again
        deadline_ok = False
        for _ in range(100):
            if greeting(d, "127.0.0.4")[0] == 220:
                deadline_ok = True
                break
        assert deadline_ok


@pytest.mark.parametrize("on", [True, False])
def test_connections_per_minute(mailserver, on):
    d = mailserver(security__limit_client_connection_rate=str(on).lower(),
                   security__max_client_connections_per_minute=3)
    for _ in range(3):
        assert greeting(d, "127.0.0.4")[0] == 220  # just under
    code, text = greeting(d, "127.0.0.4")  # just over
    if on:
        assert (code, text[4:9]) == (421, "4.7.0") and "per minute" in text, text
        assert greeting(d, "127.0.0.5")[0] == 220
        assert "anvil.connection_rate=1" in stop_log(d)
    else:
        assert code == 220


@pytest.mark.parametrize("on", [True, False])
def test_messages_per_minute(mailserver, on):
    d = mailserver(security__limit_client_messages=str(on).lower(), security__max_client_messages_per_minute=2)
    with dialogue(d, "127.0.0.4") as c:
        for _ in range(2):  # just under
            assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
            assert c.cmd("RSET")[0] == 250
        code, text = c.cmd("MAIL FROM:<x@elsewhere.test>")  # just over
    if on:
        assert (code, text[4:9]) == (450, "4.7.1") and "too many messages" in text, text
    else:
        assert code == 250
    with dialogue(d, LAN_IP) as c:  # the LAN is not limited
        for _ in range(3):
            assert c.cmd("MAIL FROM:<x@example.test>")[0] == 250
            assert c.cmd("RSET")[0] == 250


def test_nonexistent_recipients_block_until_lifted(mailserver):
    d = mailserver(security__block_unknown_recipients="true", security__max_unknown_recipients=2)
    with dialogue(d, "127.0.0.4") as c:
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        for name in ("nobody1", "nobody2"):  # just under: plain 550
            code, text = c.cmd(f"RCPT TO:<{name}@example.test>")
            assert (code, text[4:9]) == (550, "5.1.1"), text
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250  # existing accounts do not count
        code, text = c.cmd("RCPT TO:<nobody3@example.test>")  # just over
        assert (code, text[4:9]) == (421, "4.7.1"), text
        assert c.read_to_close() == b""
    code, text = greeting(d, "127.0.0.4")
    assert (code, text[4:9]) == (421, "4.7.1") and "blocked until" in text, text
    assert greeting(d, "127.0.0.5")[0] == 220
    listed = d.cli("block", "list").stdout
    assert re.search(r"^127\.0\.0\.4 since \S+ until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ sent to 3 nonexistent local accounts$",
                     listed, re.M), listed
    d.cli("block", "lift", "127.0.0.4")
    assert d.cli("block", "list").stdout == ""
    assert greeting(d, "127.0.0.4")[0] == 220
    assert "recipient.unknown_block=1" in stop_log(d)


def test_nonexistent_recipients_not_blocked_when_off(mailserver):
    d = mailserver(security__max_unknown_recipients=2)  # the number alone does nothing
    with dialogue(d, "127.0.0.4") as c:
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        for i in range(5):
            assert c.cmd(f"RCPT TO:<nobody{i}@example.test>")[0] == 550
    assert greeting(d, "127.0.0.4")[0] == 220
    assert d.cli("block", "list").stdout == ""


@pytest.mark.parametrize("on", [True, False])
def test_junk_commands_per_session(mailserver, on):
    d = mailserver(security__limit_junk_commands=str(on).lower(), security__max_junk_commands=4)
    with dialogue(d, OUTSIDE_IP) as c:
        for verb in ("NOOP", "VRFY alice", "ETRN example.test", "RSET"):  # just under
            assert c.cmd(verb)[0] in (250, 252, 502)
        code, text = c.cmd("NOOP")  # just over
        if on:
            assert (code, text[4:9]) == (421, "4.7.0") and "junk" in text, text
            assert c.read_to_close() == b""
        else:
            assert code == 250


def test_junk_allowance_starts_again_after_a_message(mailserver):
    d = mailserver(security__limit_junk_commands="true", security__max_junk_commands=2)
    with d.smtp(source=OUTSIDE_IP) as c:
        c.ehlo("client.test")
        c.noop()
        c.noop()
        c.sendmail("x@elsewhere.test", ["alice@example.test"], MSG)  # smtplib sends no RSET first
        assert c.noop()[0] == 250
        assert c.noop()[0] == 250
    d.wait_messages("alice@example.test", 1)


def test_manual_block_add_and_lift(mailserver):
    d = mailserver()
    out = d.cli("block", "add", "127.0.0.4", "--reason", "seen in the abuse report", "--until", "2h").stdout
    assert "blocked 127.0.0.4 until" in out
    code, text = greeting(d, "127.0.0.4")
    assert code == 421 and "seen in the abuse report" in text, text
    assert "127.0.0.4" in d.cli("block", "list").stdout
    d.cli("block", "lift", "127.0.0.4")
    assert greeting(d, "127.0.0.4")[0] == 220


@pytest.mark.parametrize("args,message", [
    (["add", "300.1.1.1"], "is not an IP address"),
    (["add", "127.0.0.4", "--until", "yesterday"], "--until must be"),
    (["add", "127.0.0.4", "--until", "2001-01-01"], "--until must be"),
    (["lift", "127.0.0.4"], "no block for 127.0.0.4"),
])
def test_block_cli_errors(daemon_factory, args, message):
    d = daemon_factory(start=False)
    res = d.cli("block", *args, check=False)
    assert res.returncode == 1 and message in res.stderr, res.stderr
    assert d.cli("block", "list").stdout == ""


def test_security_settings_apply_to_new_sessions_without_restart(mailserver):
    d = mailserver()
    with dialogue(d, OUTSIDE_IP) as c:
        assert c.cmd("MAIL FROM:<x@localhost>")[0] == 250
    d.set_live(security__reject_non_fqdn_sender="true")
    with dialogue(d, OUTSIDE_IP) as c:
        assert c.cmd("MAIL FROM:<x@localhost>")[0] == 504


@pytest.mark.parametrize("key,value,message", [
    ("security.max_client_connections", "0", "must be between 1 and 1000"),
    ("security.max_junk_commands", "lots", "must be a whole number"),
    ("security.mx_auth", "sometimes", "must be one of: allow, refuse, refuse_and_block"),
    ("security.mx_auth_block", "10s", "must be between"),
])
def test_security_settings_bounds(daemon_factory, key, value, message):
    d = daemon_factory(start=False)
    res = d.cli("config", "set", key, value, check=False)
    assert res.returncode == 1 and key in res.stderr and message in res.stderr, res.stderr

"""SEC-5 unauthorised pipelining (Postfix's reject_unauth_pipelining): commands before the
greeting, commands sent ahead by a client that said HELO (no PIPELINING offered), and
anything sent after DATA before the 354. EHLO clients pipelining properly are unaffected.
network.lan=127.0.0.2/32; 127.0.0.3 and up are outside hosts."""
import socket

import pytest

from conftest import LAN_IP, OUTSIDE_IP


def test_helo_client_pipelining_is_rejected(mailserver):
    d = mailserver(security__reject_unauth_pipelining="true")
    with d.raw(source=OUTSIDE_IP) as c:
        assert c.cmd("HELO client.test")[0] == 250
        c.send("MAIL FROM:<x@elsewhere.test>\r\nRCPT TO:<alice@example.test>\r\n")
        code, text = c.reply()
        assert (code, text[4:9]) == (503, "5.5.0") and "pipelining" in text, text
        assert c.reply()[0] == 503  # RCPT without MAIL


@pytest.mark.parametrize("on,source", [(False, OUTSIDE_IP), (True, LAN_IP)])
def test_helo_client_pipelining_allowed_when_off_or_lan(mailserver, on, source):
    d = mailserver(security__reject_unauth_pipelining=str(on).lower())
    with d.raw(source=source) as c:
        assert c.cmd("HELO client.test")[0] == 250
        c.send("MAIL FROM:<x@elsewhere.test>\r\nRCPT TO:<alice@example.test>\r\n")
        assert c.reply()[0] == 250
        assert c.reply()[0] == 250


def test_ehlo_client_may_pipeline_up_to_data(mailserver):
    d = mailserver(security__reject_unauth_pipelining="true")
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        c.send("MAIL FROM:<x@elsewhere.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n")
        assert [c.reply()[0] for _ in range(3)] == [250, 250, 354]
        assert c.cmd("Subject: ok\r\n\r\nbody\r\n.")[0] == 250
    d.wait_messages("alice@example.test", 1)


def test_message_sent_before_354_is_rejected(mailserver):
    d = mailserver(security__reject_unauth_pipelining="true")
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
        c.send("DATA\r\nSubject: early\r\n\r\nbody\r\n.\r\n")
        code, text = c.reply()
        assert (code, text[4:9]) == (503, "5.5.0"), text
    assert d.messages("alice@example.test") == []


def test_commands_before_the_greeting_are_rejected(mailserver):
    # The server holds its greeting back for the greet pause and any input meanwhile counts;
    # the pause is long here (the harness's start-up probe waits 5 s for a greeting) so that
    # a loaded machine cannot make the EHLO arrive after it. An impatient client ends the
    # pause at once: this costs no time.
    d = mailserver(security__reject_unauth_pipelining="true", security__greet_pause_ms="3000")
    with socket.create_connection(("127.0.0.1", d.ports["smtp"]), timeout=20, source_address=(OUTSIDE_IP, 0)) as s:
        s.sendall(b"EHLO impatient.test\r\n")  # sent before the server could greet
        first = s.makefile("rb").readline().decode()
    assert first.startswith("554 5.5.0"), first
    d.wait_log("smtp.log", r"client\.pipelining")


def test_client_that_waits_for_the_greeting_is_served(mailserver):
    d = mailserver(security__reject_unauth_pipelining="true", security__greet_pause_ms="300")
    with socket.create_connection(("127.0.0.1", d.ports["smtp"]), timeout=20, source_address=(OUTSIDE_IP, 0)) as s:
        f = s.makefile("rb")
        first = f.readline().decode()  # the greeting comes after the pause
        s.sendall(b"EHLO patient.test\r\n")
        second = f.readline().decode()
    assert first.startswith("220 "), first
    assert second.startswith("250"), second

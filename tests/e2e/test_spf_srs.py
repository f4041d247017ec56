"""SPF-10: mail an alias forwards to an outside address leaves with a local SRS envelope
sender (so SPF at the next hop checks our domain, not the original sender's), local copies
keep the original sender, and a bounce to the SRS address goes back to the original sender.
Remote mail is held in the queue (hold_remote), where `postern queue list` shows envelopes."""
import re

import pytest

OUTSIDE = "127.0.0.11"


@pytest.fixture
def forwarder(mailserver):
    def make(**settings):
        d = mailserver(start=False, **settings)
        d.add_alias("fwd@example.test", "friend@remote.test", "alice@example.test")
        d.start()
        return d
    return make


def send(d, sender, rcpt, source=OUTSIDE):
    with d.raw(source=source) as c:
        c.ehlo("client.test")
        assert c.cmd(f"MAIL FROM:<{sender}>")[0] == 250
        code, text = c.cmd(f"RCPT TO:<{rcpt}>")
        if code != 250:
            return code, text
        assert c.cmd("DATA")[0] == 354
        c.send("Subject: forwarded\r\n\r\nhello\r\n.\r\n")
        code, text = c.reply()
        c.cmd("QUIT")
        return code, text


def remote_envelopes(d):
    return [line for line in d.queue_list() if "route=remote" in line]


def test_forwarded_copy_gets_srs_sender_local_copy_keeps_original(forwarder):
    d = forwarder()
    assert send(d, "jane@outside.example", "fwd@example.test")[0] == 250
    [local] = d.wait_messages("alice@example.test", 1)
    assert local.startswith(b"Return-Path: <jane@outside.example>")
    [remote] = remote_envelopes(d)
    assert "-> <friend@remote.test>" in remote
    sender = re.search(r"<(SRS0=[^>]+)>", remote).group(1)
    assert sender.endswith("=outside.example=jane@example.test"), sender


def test_setting_off_keeps_original_sender(forwarder):
    d = forwarder(spf__forward_local_sender="false")
    assert send(d, "jane@outside.example", "fwd@example.test")[0] == 250
    [remote] = remote_envelopes(d)
    assert "<jane@outside.example> -> <friend@remote.test>" in remote


def test_bounce_to_srs_address_returns_to_original_sender(forwarder):
    d = forwarder()
    send(d, "jane@outside.example", "fwd@example.test")
    srs = re.search(r"<(SRS0=[^>]+)>", remote_envelopes(d)[0]).group(1)
    assert send(d, "", srs)[0] == 250
    assert any("<> -> <jane@outside.example>" in line for line in remote_envelopes(d)), d.queue_list()


def test_forged_srs_address_is_refused(forwarder):
    d = forwarder()
    code, text = send(d, "", "SRS0=abcd=AA=victim.example=user@example.test")
    assert (code, text[4:9]) == (550, "5.1.1"), text
    # A valid SRS address is not a relay for ordinary senders either.
    send(d, "jane@outside.example", "fwd@example.test")
    srs = re.search(r"<(SRS0=[^>]+)>", remote_envelopes(d)[0]).group(1)
    assert send(d, "spammer@outside.example", srs)[0] == 550

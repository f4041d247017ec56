"""Issue 4, outbound delivery through a smart host, against a real peer: Postfix's
smtp-sink on 127.0.0.1 (accepts, soft-rejects (4xx) or hard-rejects (5xx) commands, and
dumps what it accepted). The sink offers no STARTTLS, so these tests use
delivery.smarthost_tls=opportunistic; TLS and AUTH are in test_outbound_postfix.py."""
import email
import re
import sqlite3
import time

import pytest

from peers import (SENDER, SmtpSink, delivery_lines, free_port, have_smtp_sink, outbound_daemon, poll,
                   queue_lines, send, sink_envelope, wait_delivery)

pytestmark = pytest.mark.skipif(not have_smtp_sink(), reason="smtp-sink (package postfix) is not installed")

RCPT = "carol@remote.test"


@pytest.fixture
def sink():
    with SmtpSink() as s:
        yield s


def via(sink, daemon_factory, start=True, **settings):
    return outbound_daemon(daemon_factory, start=start, delivery__smarthost_port=sink.port,
                           delivery__smarthost_tls="opportunistic", delivery__smarthost_verify="false", **settings)


def dsn_parts(raw):
    """(whole message, notification text, delivery-status text, returned headers text)."""
    msg = email.message_from_bytes(raw)
    assert msg.get_content_type() == "multipart/report", msg.get_content_type()
    assert msg.get_param("report-type") == "delivery-status"
    parts = msg.get_payload()
    assert [p.get_content_type() for p in parts] == ["text/plain", "message/delivery-status", "text/rfc822-headers"]
    status = parts[1]
    # The email package parses message/delivery-status into header blocks.
    blocks = status.get_payload()
    status_text = "\n\n".join(str(b) for b in blocks) if isinstance(blocks, list) else str(blocks)
    return msg, parts[0].get_payload(decode=True).decode(), status_text, parts[2].get_payload()


def assert_is_bounce_for(raw, rcpt, status, diagnostic, subject):
    msg, text, status_text, returned = dsn_parts(raw)
    assert raw.startswith(b"Return-Path: <>\n") or raw.startswith(b"Return-Path: <>\r\n"), \
        "the bounce must have the null envelope sender: " + repr(raw[:80])
    assert "MAILER-DAEMON@mail.example.test" in msg["From"]
    assert SENDER in msg["To"]
    assert f"Final-Recipient: rfc822; {rcpt}" in status_text
    assert "Action: failed" in status_text
    assert f"Status: {status}" in status_text
    assert "Reporting-MTA: dns; mail.example.test" in status_text
    assert diagnostic in status_text, status_text
    assert rcpt in text and diagnostic in text, text
    assert f"Subject: {subject}" in returned
    return msg


# ------------------------------------------------------------------------------- sent
def test_smarthost_delivery_carries_envelope_and_body_intact(sink, daemon_factory):
    d = via(sink, daemon_factory)
    rcpts = [RCPT, "dan@remote.test"]
    body = "line one\r\n.leading dot survives\r\n\r\nlast line\r\n"
    qid, marker = send(d, rcpts, subject="intact", body=body)
    for r in rcpts:
        line = wait_delivery(d, qid, r, "sent")
        assert "route=remote/smarthost" in line and f"127.0.0.1[127.0.0.1]:{sink.port}" in line, line
    dump = sink.wait_message_with(marker)
    mail_args, rcpt_args = sink_envelope(dump)
    assert mail_args == f"<{SENDER}>"
    assert rcpt_args == [f"<{r}>" for r in rcpts], "one transaction for both recipients of one domain"
    text = dump.decode()
    assert re.search(r"^X-Helo-Args: mail\.example\.test$", text, re.M), "EHLO must use smtp.hostname"
    assert "Subject: intact" in text and marker in text
    assert "\nline one\n.leading dot survives\n\nlast line\n" in text, "body altered (dot stuffing?)"
    assert re.search(r"^Received: from client\.test .*\n\s+by mail\.example\.test", text, re.M)
    assert len(sink.messages_with(marker)) == 1
    d.wait_queue_empty()
    assert d.messages(SENDER) == [], "no bounce for delivered mail"


def test_direct_mode_delivers_to_address_literal_on_mx_port(sink, daemon_factory):
    d = outbound_daemon(daemon_factory, delivery__mode="direct", delivery__mx_port=sink.port)
    rcpt = "dave@[127.0.0.1]"
    qid, marker = send(d, rcpt)
    line = wait_delivery(d, qid, rcpt, "sent")
    assert "route=remote" in line and "smarthost" not in line, line
    assert sink_envelope(sink.wait_message_with(marker))[1] == [f"<{rcpt}>"]
    d.wait_queue_empty()


# ----------------------------------------------------------------------------- bounce
def test_rcpt_5xx_bounces_to_sender_with_remote_reply(daemon_factory):
    reply = "550 5.1.1 mailbox carol is unknown here"
    with SmtpSink(hard=("RCPT",), hard_reply=reply) as sink:
        d = via(sink, daemon_factory)
        qid, marker = send(d, RCPT, subject="will bounce")
        line = wait_delivery(d, qid, RCPT, "bounced")
        assert "mailbox carol is unknown here" in line, line
        [bounce] = d.wait_messages(SENDER, 1)
        msg = assert_is_bounce_for(bounce, RCPT, "5.1.1", "mailbox carol is unknown here", "will bounce")
        assert f"Remote-MTA: dns; 127.0.0.1[127.0.0.1]:{sink.port}" in bounce.decode()
        assert marker in bounce.decode(), "the DSN returns the original headers"
        d.wait_queue_empty()
        assert sink.messages_with(marker) == []
        # The bounce went to the local sender only, never to the smart host.
        assert sink.messages() == []
        assert msg["Auto-Submitted"] == "auto-replied"


def test_data_5xx_bounces(daemon_factory):
    with SmtpSink(hard=(".",), hard_reply="554 5.6.0 content refused by policy") as sink:
        d = via(sink, daemon_factory)
        qid, marker = send(d, RCPT, subject="content refused")
        wait_delivery(d, qid, RCPT, "bounced")
        [bounce] = d.wait_messages(SENDER, 1)
        assert_is_bounce_for(bounce, RCPT, "5.6.0", "content refused by policy", "content refused")
        d.wait_queue_empty()


def test_null_sender_mail_that_bounces_gets_no_bounce(daemon_factory):
    with SmtpSink(hard=("RCPT",)) as sink:
        d = via(sink, daemon_factory)
        qid, _ = send(d, RCPT, sender="")
        wait_delivery(d, qid, RCPT, "bounced")
        d.wait_log("delivery.log", rf"{qid} no bounce: the message had the null sender")
        d.wait_queue_empty()
        assert d.messages(SENDER) == []


# ----------------------------------------------------------------------------- defer
def test_rcpt_4xx_defers_then_queue_retry_delivers_exactly_once(daemon_factory):
    with SmtpSink(soft=("RCPT",), soft_reply="451 4.3.0 greylisted, come back later") as sink:
        d = via(sink, daemon_factory)
        qid, marker = send(d, RCPT, subject="greylisted")
        line = wait_delivery(d, qid, RCPT, "deferred")
        assert "retry_in=3600s" in line and "greylisted, come back later" in line, line
        [entry] = queue_lines(d, qid)
        assert f"<{SENDER}> -> <{RCPT}> route=remote/smarthost attempts=1 next=" in entry, entry
        assert 'error="' in entry and "greylisted" in entry, entry
        assert d.messages(SENDER) == [], "a temporary failure must not bounce"
        assert sink.messages_with(marker) == []

        sink.restart()  # now it accepts
        assert d.cli("queue", "retry", qid).stdout.strip() == f"retry: {qid}"
        wait_delivery(d, qid, RCPT, "sent")
        sink.wait_message_with(marker)
        d.wait_queue_empty()
        # Sent once; the queue is empty, so no later attempt can duplicate it.
        assert len(sink.messages_with(marker)) == 1
        assert [l for l in delivery_lines(d, qid) if "status=sent" in l].__len__() == 1
        assert d.messages(SENDER) == []


def test_backoff_doubles_up_to_retry_max_then_delivers_when_peer_recovers(daemon_factory):
    with SmtpSink(soft=("RCPT",)) as sink:
        d = via(sink, daemon_factory, queue__retry_min_s=1, queue__retry_max_s=4)
        qid, marker = send(d, RCPT)

        def retries():
            return [int(m) for m in re.findall(rf"{qid} to=<{re.escape(RCPT)}> .*status=deferred retry_in=(\d+)s",
                                              d.log("delivery.log"))]
        delays = poll("four deferrals", lambda: (lambda r: r if len(r) >= 4 else None)(retries()), timeout=60)
        assert delays[:4] == [1, 2, 4, 4], delays
        [entry] = queue_lines(d, qid)
        assert re.search(r"attempts=[4-9]", entry), entry
        sink.restart()
        wait_delivery(d, qid, RCPT, "sent", timeout=30)
        d.wait_queue_empty()
        assert len(sink.messages_with(marker)) == 1
        assert d.messages(SENDER) == []


def test_connection_refused_defers_then_delivers_when_host_comes_up(daemon_factory):
    port = free_port()  # nothing listens there yet
    d = outbound_daemon(daemon_factory, delivery__smarthost_port=port, delivery__smarthost_tls="opportunistic",
                        delivery__smarthost_verify="false")
    qid, marker = send(d, RCPT)
    line = wait_delivery(d, qid, RCPT, "deferred")
    assert f"cannot connect to 127.0.0.1:{port}" in line, line
    assert d.messages(SENDER) == []
    with SmtpSink(port=port) as sink:
        d.cli("queue", "retry", qid)
        wait_delivery(d, qid, RCPT, "sent")
        assert len([sink.wait_message_with(marker)]) == 1
        d.wait_queue_empty()


def test_421_and_disconnect_at_mail_defers(daemon_factory):
    with SmtpSink(extra=("-Q", "MAIL")) as sink:  # "421" and hang up after MAIL FROM
        d = via(sink, daemon_factory)
        qid, marker = send(d, RCPT)
        line = wait_delivery(d, qid, RCPT, "deferred")
        assert "421" in line, line
        assert [l for l in queue_lines(d, qid) if "attempts=1" in l]
        assert d.messages(SENDER) == [] and sink.messages_with(marker) == []


# ----------------------------------------------------------------------------- admin
def test_hold_keeps_message_until_release(sink, daemon_factory):
    d = via(sink, daemon_factory, queue__retry_min_s=1, queue__retry_max_s=1)
    sink.restart(soft=("RCPT",))
    qid, marker = send(d, RCPT, subject="held one")
    wait_delivery(d, qid, RCPT, "deferred")
    assert d.cli("queue", "hold", qid).stdout.strip() == f"hold: {qid}"
    [entry] = queue_lines(d, qid)
    assert entry.endswith(" held") or " held " in entry, entry
    attempts_when_held = delivery_lines(d, qid)

    sink.restart()  # the peer accepts again, but the message is held
    # A later message passes through the same queue runner and is delivered: by then
    # the runner has scanned the queue (every second) many times without touching the held one.
    for _ in range(3):
        q2, m2 = send(d, "erin@remote.test")
        wait_delivery(d, q2, "erin@remote.test", "sent")
    assert sink.messages_with(marker) == []
    assert delivery_lines(d, qid) == attempts_when_held, "a held message must not be attempted"
    [entry] = queue_lines(d, qid)
    assert " held" in entry

    assert d.cli("queue", "release", qid).stdout.strip() == f"release: {qid}"
    wait_delivery(d, qid, RCPT, "sent")
    assert len(sink.messages_with(marker)) == 1
    d.wait_queue_empty()


def test_delete_removes_message_without_bounce(daemon_factory):
    with SmtpSink(soft=("RCPT",)) as sink:
        d = via(sink, daemon_factory)
        qid, marker = send(d, RCPT)
        wait_delivery(d, qid, RCPT, "deferred")
        show = d.cli("queue", "show", qid).stdout
        assert f"<{SENDER}> -> <{RCPT}>" in show and marker in show, show
        assert d.cli("queue", "delete", qid).stdout.strip() == f"delete: {qid}"
        assert queue_lines(d, qid) == []
        res = d.cli("queue", "show", qid, check=False)
        assert res.returncode != 0 and "no queued message" in res.stderr
        sink.restart()
        q2, _ = send(d, "erin@remote.test")
        wait_delivery(d, q2, "erin@remote.test", "sent")
        assert sink.messages_with(marker) == []
        assert d.messages(SENDER) == [], "deleting is not bouncing"


def test_queue_actions_on_unknown_id_fail(daemon_factory):
    d = outbound_daemon(daemon_factory, start=False)
    for verb in ("show", "retry", "hold", "release", "delete"):
        res = d.cli("queue", verb, "NOSUCHID", check=False)
        assert res.returncode != 0, verb
        assert "no queued message with id NOSUCHID" in res.stderr, (verb, res.stderr)


# ---------------------------------------------------------------------------- lifetime
def test_lifetime_expiry_bounces_with_4_4_7(daemon_factory):
    """queue.lifetime_h is at least 1 h, so the test ages the queued message instead of
    waiting: it moves the message's arrival time 2 h back in the queue database while the
    daemon is stopped, then asks for a retry."""
    with SmtpSink(soft=("RCPT",), soft_reply="452 4.2.2 mailbox full") as sink:
        d = via(sink, daemon_factory, queue__lifetime_h=1)
        qid, marker = send(d, RCPT, subject="too old")
        wait_delivery(d, qid, RCPT, "deferred")
        assert d.stop() == 0
        dbs = [p for p in (d.data_dir / "queue").iterdir() if p.suffix in (".db", ".sqlite", ".sqlite3")]
        assert len(dbs) == 1, list((d.data_dir / "queue").iterdir())
        with sqlite3.connect(dbs[0]) as db:
            changed = db.execute("UPDATE messages SET received_at = received_at - 7200 WHERE id = ?", (qid,)).rowcount
        assert changed == 1
        d.start()
        d.cli("queue", "retry", qid)
        line = wait_delivery(d, qid, RCPT, "expired")
        assert "mailbox full" in line, line
        [bounce] = d.wait_messages(SENDER, 1)
        assert_is_bounce_for(bounce, RCPT, "4.4.7", "mailbox full", "too old")
        assert "delivery time expired" in bounce.decode()
        d.wait_queue_empty()
        assert sink.messages_with(marker) == []

"""Issue 4, outbound delivery through a smart host, against a real peer: Postfix's
smtp-sink on 127.0.0.1 (accepts, soft-rejects (4xx) or hard-rejects (5xx) commands, and
dumps what it accepted). The sink offers no STARTTLS, so these tests use
delivery.smarthost_tls=opportunistic; TLS and AUTH are in test_outbound_postfix.py."""
import email
import re

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


def test_recipients_of_several_domains_each_delivered_once(sink, daemon_factory):
    d = via(sink, daemon_factory)
    rcpts = ["a1@one.test", "b1@two.test", "a2@one.test"]
    qid, marker = send(d, rcpts)
    for r in rcpts:
        wait_delivery(d, qid, r, "sent")
    d.wait_queue_empty()
    seen = []
    for dump in sink.messages_with(marker):
        seen += sink_envelope(dump)[1]
    assert sorted(seen) == sorted(f"<{r}>" for r in rcpts), "each recipient exactly once"


def test_concurrent_submissions_each_delivered_exactly_once(sink, daemon_factory):
    from concurrent.futures import ThreadPoolExecutor
    d = via(sink, daemon_factory)
    jobs = [[f"r{i}@remote.test", f"s{i}@elsewhere.test"] for i in range(15)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        sent = list(pool.map(lambda rcpts: (rcpts, send(d, rcpts)), jobs))
    for rcpts, (qid, _) in sent:
        for r in rcpts:
            wait_delivery(d, qid, r, "sent", timeout=60)
    d.wait_queue_empty(timeout=30)
    for rcpts, (_, marker) in sent:
        got = sorted(r for dump in sink.messages_with(marker) for r in sink_envelope(dump)[1])
        assert got == sorted(f"<{r}>" for r in rcpts), (marker, got)


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
        assert "Remote-MTA: dns; 127.0.0.1\r\n" in bounce.decode()  # the host, not our log form
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


def test_data_4xx_defers(daemon_factory):
    with SmtpSink(soft=(".",), soft_reply="452 4.3.1 insufficient system storage") as sink:
        d = via(sink, daemon_factory)
        qid, marker = send(d, RCPT)
        line = wait_delivery(d, qid, RCPT, "deferred")
        assert "insufficient system storage" in line, line
        assert d.messages(SENDER) == []


def test_mail_from_5xx_bounces_every_recipient(daemon_factory):
    with SmtpSink(hard=("MAIL",), hard_reply="553 5.7.1 sender not allowed here") as sink:
        d = via(sink, daemon_factory)
        rcpts = [RCPT, "dan@remote.test"]
        qid, _ = send(d, rcpts, subject="sender refused")
        for r in rcpts:
            assert "sender not allowed here" in wait_delivery(d, qid, r, "bounced")
        bounces = d.wait_messages(SENDER, 1)
        text = b"".join(bounces).decode()
        for r in rcpts:
            assert f"Final-Recipient: rfc822; {r}" in text, text
        d.wait_queue_empty()


def test_silent_peer_times_out_after_command_timeout_then_delivers_once(daemon_factory):
    with SmtpSink(extra=("-w", "60")) as sink:  # answers DATA only after 60 s
        d = via(sink, daemon_factory, delivery__command_timeout_s=5)
        qid, marker = send(d, RCPT)
        line = wait_delivery(d, qid, RCPT, "deferred", timeout=40)
        assert "timeout" in line, line
        sink.restart()
        d.cli("queue", "retry", qid)
        wait_delivery(d, qid, RCPT, "sent")
        d.wait_queue_empty()
        assert len(sink.messages_with(marker)) == 1


def test_command_timeout_bounds_a_stalled_attempt(daemon_factory):
    """The peer goes silent (smtp-sink -w 60 answers nothing for 60 s once DATA came;
    its MAIL and RCPT replies wait in its pipelining buffer). With command_timeout_s=5 the
    attempt must give up after about 5 s, not wait 5 s again for every reply still
    outstanding and once more for the QUIT."""
    import time
    with SmtpSink(extra=("-w", "60")) as sink:
        d = via(sink, daemon_factory, delivery__command_timeout_s=5)
        rcpts = [f"r{i}@remote.test" for i in range(5)]
        start = time.monotonic()
        qid, _ = send(d, rcpts)
        line = wait_delivery(d, qid, rcpts[0], "deferred", timeout=120)
        elapsed = time.monotonic() - start
        assert "timeout" in line, line
        assert elapsed < 12, f"a 5 s command timeout took {elapsed:.0f} s to end the attempt"


# ----------------------------------------------------------------------------- admin
def test_hold_keeps_message_until_release(sink, daemon_factory):
    d = via(sink, daemon_factory, queue__retry_min_s=1, queue__retry_max_s=1)
    sink.restart(soft=("RCPT",))
    qid, marker = send(d, RCPT, subject="held one")
    wait_delivery(d, qid, RCPT, "deferred")
    assert d.cli("queue", "hold", qid).stdout.strip() == f"hold: {qid}"
    [entry] = queue_lines(d, qid)
    assert entry.endswith(" held") or " held " in entry, entry

    sink.restart()  # the peer accepts again, but the message is held
    # (An attempt already running when `hold` came met the still-refusing sink; taking
    # the count after the restart leaves it out.)
    attempts_when_held = delivery_lines(d, qid)
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


def test_queue_settings_bounds(daemon_factory):
    d = outbound_daemon(daemon_factory, start=False)
    for key, bad in (("queue.retry_min_s", "0"), ("queue.lifetime", "0"), ("queue.lifetime", "9s"),
                     ("queue.retry_max_s", "0"),
                     ("delivery.smarthost_tls", "sometimes"), ("delivery.mode", "carrier-pigeon"),
                     ("delivery.smarthost_port", "0"), ("delivery.smarthost_port", "65536")):
        res = d.cli("config", "set", key, bad, check=False)
        assert res.returncode != 0, (key, bad, res.stdout)
    for key, good in (("queue.retry_min_s", "1"), ("queue.lifetime", "10s")):
        d.cli("config", "set", key, good)
        assert d.cli("config", "get", key).stdout.strip() == good


def test_queue_actions_on_unknown_id_fail(daemon_factory):
    d = outbound_daemon(daemon_factory, start=False)
    for verb in ("show", "retry", "hold", "release", "delete"):
        res = d.cli("queue", verb, "NOSUCHID", check=False)
        assert res.returncode != 0, verb
        assert "no queued message with id NOSUCHID" in res.stderr, (verb, res.stderr)


# ---------------------------------------------------------------------------- lifetime
def test_lifetime_expiry_bounces_with_4_4_7(daemon_factory):
    with SmtpSink(soft=("RCPT",), soft_reply="452 4.2.2 mailbox full") as sink:
        d = via(sink, daemon_factory, queue__lifetime="10s", queue__retry_min_s=1, queue__retry_max_s=2,
                queue__delay_warning="0")
        qid, marker = send(d, RCPT, subject="too old")
        wait_delivery(d, qid, RCPT, "deferred")
        line = wait_delivery(d, qid, RCPT, "expired", timeout=60)
        assert "mailbox full" in line, line
        [bounce] = d.wait_messages(SENDER, 1)
        assert_is_bounce_for(bounce, RCPT, "4.4.7", "mailbox full", "too old")
        assert "delivery time expired" in bounce.decode()
        d.wait_queue_empty()
        assert sink.messages_with(marker) == []


def test_delay_warning_once_then_delivery_without_bounce(daemon_factory):
    with SmtpSink(soft=("RCPT",), soft_reply="451 4.3.2 system not accepting messages") as sink:
        d = via(sink, daemon_factory, queue__delay_warning="3s", queue__retry_min_s=1, queue__retry_max_s=1)
        qid, marker = send(d, RCPT, subject="slow one")
        [warning] = d.wait_messages(SENDER, 1, timeout=40)
        text = warning.decode()
        assert text.startswith("Return-Path: <>"), text[:200]
        assert "multipart/report; report-type=delivery-status" in text
        assert "Action: delayed" in text and f"Final-Recipient: rfc822; {RCPT}" in text, text
        assert "system not accepting messages" in text
        assert "Action: failed" not in text
        assert queue_lines(d, qid), "still queued after the warning"
        # More deferrals follow, but the sender is warned once only.
        n = len(delivery_lines(d, qid))
        poll("three more attempts", lambda: len(delivery_lines(d, qid)) >= n + 3, timeout=30)
        assert len(d.messages(SENDER)) == 1
        sink.restart()
        wait_delivery(d, qid, RCPT, "sent", timeout=30)
        d.wait_queue_empty()
        assert len(sink.messages_with(marker)) == 1
        assert len(d.messages(SENDER)) == 1, "no failure report after a late delivery"


# ------------------------------------------------------------- direct mode through DNS
@pytest.fixture
def direct_via_dns(sink, daemon_factory):
    """Factory: a direct-mode daemon whose DNS is a dnsmasq (dns_server.py) with the given
    records, mx_port pointing at the sink; the DNS server is stopped at teardown."""
    from dns_server import DnsServer
    servers = []

    def make(records):
        dns = DnsServer(records)
        servers.append(dns)
        dns.start()
        d = outbound_daemon(daemon_factory, delivery__mode="direct", delivery__mx_port=sink.port,
                            dns__nameservers=dns.nameserver)
        return d, dns
    yield make
    for dns in servers:
        dns.stop()


def test_direct_mode_follows_mx_to_peer(sink, direct_via_dns):
    d, dns = direct_via_dns([("remote.test", "MX", 10, "mx.remote.test"), ("mx.remote.test", "A", "127.0.0.1")])
    qid, marker = send(d, RCPT)
    line = wait_delivery(d, qid, RCPT, "sent")
    assert f"mx.remote.test[127.0.0.1]:{sink.port}" in line, line
    assert sink_envelope(sink.wait_message_with(marker))[1] == [f"<{RCPT}>"]
    assert ("MX", "remote.test") in dns.queries()


def test_direct_mode_null_mx_and_unknown_domain_bounce(sink, direct_via_dns):
    d, dns = direct_via_dns([("nomail.test", "MX", 0, "."), ("remote.test", "MX", 10, "mx.remote.test"),
                             ("mx.remote.test", "A", "127.0.0.1")])
    null_rcpt, gone_rcpt = "x@nomail.test", "y@no-such-domain.test"
    qid, marker = send(d, [null_rcpt, gone_rcpt], subject="bad domains")
    wait_delivery(d, qid, null_rcpt, "bounced")
    wait_delivery(d, qid, gone_rcpt, "bounced")
    text = b"".join(poll("bounces for both", lambda: (lambda m: m if b"".join(m).count(b"Final-Recipient") >= 2
                                                      else None)(d.messages(SENDER)))).decode()
    assert "Status: 5.1.10" in text and "Status: 5.1.2" in text, text
    assert sink.messages_with(marker) == []

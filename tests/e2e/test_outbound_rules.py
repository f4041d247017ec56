"""Issue 4 ("every rule type end to end: which host got the mail, with which credentials,
over TLS"): smart-host rules (DLV-3, delivery.mode=rules, `postern rule`), per-host
credentials (DLV-4, `postern credentials`), relay domains (RLY-2, `postern relay-domain`)
and trusted networks (RLY-1, `postern trusted`), each driven through the CLI and checked
at the receiving peer: Postfix's smtp-sink (peers.SmtpSink) for plain hops, a private
Postfix (peers.PostfixSmarthost) for STARTTLS + AUTH, and dnsmasq (dns_server.DnsServer)
for the MX records of mail that matches no rule. Only loopback addresses are used."""
import re
import time

import pytest

from conftest import LAN_IP, OUTSIDE_IP
from peers import (SENDER, LogView, PostfixSmarthost, SmtpSink, delivery_lines, free_port, have_postfix_sasl,
                   have_smtp_sink, outbound_daemon, poll, send, sink_envelope, wait_delivery)

needs_sink = pytest.mark.skipif(not have_smtp_sink(), reason="smtp-sink (package postfix) is not installed")
needs_postfix = pytest.mark.skipif(not have_postfix_sasl(),
                                   reason="postfix with Cyrus SASL, sasl2-bin and libsasl2-modules are needed")

USER = "relay@smarthost.test"
PASSWORD = "Relay-Pa55-s3cret"
OTHER_USER = "other@smarthost.test"
OTHER_PASSWORD = "0ther-Pa55-s3cret"
PF_RCPT = "carol@remote.test"   # the private Postfix's own domain

# Domains that match no rule in these tests: their MX (from DnsServer) is 127.0.0.1, and
# delivery.mx_port points at the "direct" sink.
DIRECT_DOMAINS = ("other.test", "notcorp.test", "outside.test", "relay.test", "remote.test")


# ---------------------------------------------------------------------------- fixtures
@pytest.fixture
def dns():
    from dns_server import DnsServer
    records = [("mx.direct.test", "A", "127.0.0.1"), ("smarthost.test", "A", "127.0.0.1")]
    records += [(dom, "MX", 10, "mx.direct.test") for dom in DIRECT_DOMAINS]
    with DnsServer(records) as server:
        yield server


@pytest.fixture
def sink_a():
    with SmtpSink(hostname="sink-a.test") as s:
        yield s


@pytest.fixture
def sink_b():
    with SmtpSink(hostname="sink-b.test") as s:
        yield s


@pytest.fixture
def sink_c():
    with SmtpSink(hostname="sink-c.test") as s:
        yield s


@pytest.fixture(scope="module")
def postfix():
    if not have_postfix_sasl():
        pytest.skip("postfix with Cyrus SASL is needed")
    with PostfixSmarthost(users={USER: PASSWORD, OTHER_USER: OTHER_PASSWORD}) as pf:
        yield pf


@pytest.fixture
def smarthost(postfix):
    view = LogView(postfix)
    yield view
    view.wait_sessions_ended()


def rules_daemon(daemon_factory, dns, direct_sink, start=False, **settings):
    """A Postern (example.test, alice) in delivery.mode=rules; unmatched mail goes direct to
    the MX from DNS, on DIRECT_SINK's port."""
    return outbound_daemon(daemon_factory, start=start, delivery__mode="rules", dns__nameservers=dns.nameserver,
                           delivery__mx_port=direct_sink.port if direct_sink else 1, **settings)


def add_rule(d, name, kind, patterns, host, *options, password=None):
    args = ["rule", "add", name, kind, patterns, host, *options]
    if password is not None:
        return d.cli(*args, "--password-stdin", input=password + "\n")
    return d.cli(*args)


def rcpts_at(sink, marker):
    """All RCPT arguments of the messages with MARKER that SINK received."""
    return sorted(r for dump in sink.messages_with(marker) for r in sink_envelope(dump)[1])


def wait_rcpts(sink, marker, expected, timeout=30):
    expected = sorted(f"<{r}>" for r in expected)
    try:
        return poll(f"{expected} at {sink.hostname}", lambda: rcpts_at(sink, marker) == expected or None, timeout)
    except AssertionError as e:
        envelopes = [sink_envelope(dump) for dump in sink.messages()]
        raise AssertionError(f"{e}; it has {rcpts_at(sink, marker)} of this message, envelopes of all its "
                             f"dumps: {envelopes}; smtp-sink said: {sink.output()[-1500:]}") from None


def received_by_postfix(msg):
    text = msg.decode(errors="replace")
    m = re.search(r"^Received: from mail\.example\.test .*?(?=^\S)", text, re.M | re.S)
    assert m, text[:1500]
    return m.group(0)


# ----------------------------------------------------------------------- DLV-3: rules
@needs_sink
def test_recipient_rule_sends_matching_recipients_to_its_host_others_direct(daemon_factory, dns, sink_a, sink_b):
    d = rules_daemon(daemon_factory, dns, sink_b)
    add_rule(d, "to-a", "recipient", "ruled.test", f"127.0.0.1:{sink_a.port}", "--tls", "opportunistic",
             "--no-verify")
    d.start()
    matched, unmatched = "x@ruled.test", "y@other.test"
    qid, marker = send(d, [matched, unmatched], subject="recipient rule")
    line_a = wait_delivery(d, qid, matched, "sent")
    line_b = wait_delivery(d, qid, unmatched, "sent")
    assert f"127.0.0.1[127.0.0.1]:{sink_a.port}" in line_a, line_a
    assert f":{sink_b.port}" in line_b and f":{sink_a.port}" not in line_b, line_b
    wait_rcpts(sink_a, marker, [matched])
    wait_rcpts(sink_b, marker, [unmatched])
    assert ("MX", "other.test") in dns.queries(), "the unmatched recipient goes to its MX"
    d.wait_queue_empty()
    assert rcpts_at(sink_a, marker) == [f"<{matched}>"] and rcpts_at(sink_b, marker) == [f"<{unmatched}>"]


@needs_sink
def test_sender_rule_routes_by_mail_from(daemon_factory, dns, sink_a, sink_b):
    d = rules_daemon(daemon_factory, dns, sink_b)
    add_rule(d, "alice-out", "sender", SENDER, f"127.0.0.1:{sink_a.port}", "--tls", "opportunistic", "--no-verify")
    d.start()
    rcpt = "y@other.test"
    qid1, marker1 = send(d, rcpt, sender=SENDER, subject="from alice")
    qid2, marker2 = send(d, rcpt, sender="zed@outside.test", subject="from zed")
    assert f":{sink_a.port}" in wait_delivery(d, qid1, rcpt, "sent")
    assert f":{sink_b.port}" in wait_delivery(d, qid2, rcpt, "sent")
    assert sink_envelope(sink_a.wait_message_with(marker1))[0] == f"<{SENDER}>"
    assert sink_envelope(sink_b.wait_message_with(marker2))[0] == "<zed@outside.test>"
    d.wait_queue_empty()
    assert sink_b.messages_with(marker1) == [] and sink_a.messages_with(marker2) == []


@needs_sink
def test_first_matching_rule_wins(daemon_factory, dns, sink_a, sink_b, sink_c):
    """Rules are tried in the order added: a later, more specific rule does not override."""
    d = rules_daemon(daemon_factory, dns, sink_b)
    add_rule(d, "broad", "recipient", "other.test", f"127.0.0.1:{sink_a.port}", "--tls", "opportunistic",
             "--no-verify")
    add_rule(d, "narrow", "recipient", "vip@other.test", f"127.0.0.1:{sink_c.port}", "--tls", "opportunistic",
             "--no-verify")
    add_rule(d, "by-sender", "sender", SENDER, f"127.0.0.1:{sink_c.port}", "--tls", "opportunistic",
             "--no-verify")
    listing = d.cli("rule", "list").stdout
    assert [line.split()[1] for line in listing.splitlines() if line.strip()] == ["broad", "narrow", "by-sender"], \
        listing
    d.start()
    rcpt = "vip@other.test"
    qid, marker = send(d, rcpt, sender=SENDER)
    line = wait_delivery(d, qid, rcpt, "sent")
    assert f":{sink_a.port}" in line, line
    wait_rcpts(sink_a, marker, [rcpt])
    d.wait_queue_empty()
    assert sink_c.messages_with(marker) == [] and sink_b.messages_with(marker) == []


@needs_sink
def test_dot_domain_pattern_matches_domain_and_subdomains_only(daemon_factory, dns, sink_a, sink_b):
    d = rules_daemon(daemon_factory, dns, sink_b)
    add_rule(d, "corp", "recipient", ".corp.test", f"127.0.0.1:{sink_a.port}", "--tls", "opportunistic",
             "--no-verify")
    d.start()
    inside = ["a@corp.test", "b@eu.corp.test", "c@deep.eu.corp.test"]
    outside = ["d@notcorp.test"]  # ends in "corp.test", but is no subdomain of it
    qid, marker = send(d, inside + outside)
    for r in inside + outside:
        wait_delivery(d, qid, r, "sent")
    wait_rcpts(sink_a, marker, inside)
    wait_rcpts(sink_b, marker, outside)
    d.wait_queue_empty()


@needs_postfix
def test_rule_with_credentials_and_starttls_authenticates_at_postfix(daemon_factory, dns, smarthost):
    d = rules_daemon(daemon_factory, dns, None)
    add_rule(d, "pf", "recipient", "remote.test", f"127.0.0.1:{smarthost.ports['starttls']}", "--tls", "starttls",
             "--no-verify", "--username", USER, password=PASSWORD)
    listing = d.cli("rule", "list").stdout
    assert PASSWORD not in listing and "password=********" in listing and f"username={USER}" in listing, listing
    d.start()
    qid, marker = send(d, PF_RCPT, subject="rule with credentials")
    line = wait_delivery(d, qid, PF_RCPT, "sent")
    assert f"127.0.0.1[127.0.0.1]:{smarthost.ports['starttls']}" in line and "TLSv1." in line, line
    [msg] = smarthost.wait_messages(PF_RCPT, marker)
    received = received_by_postfix(msg)
    assert "(using TLSv1." in received and f"(Authenticated sender: {USER})" in received, received
    assert "with ESMTPSA" in received, received
    smarthost.wait_log(rf"sasl_method=(PLAIN|LOGIN), sasl_username={re.escape(USER)}")
    for name in ("postern.log", "delivery.log"):
        assert PASSWORD not in d.log(name), name
    assert PASSWORD not in d.cli("rule", "list").stdout


@needs_sink
def test_removing_a_rule_sends_waiting_mail_the_unmatched_way(daemon_factory, dns, sink_b):
    dead = free_port()  # nothing listens there: the rule's host refuses connections
    d = rules_daemon(daemon_factory, dns, sink_b)
    add_rule(d, "dead", "recipient", "other.test", f"127.0.0.1:{dead}", "--tls", "opportunistic", "--no-verify")
    d.start()
    rcpt = "y@other.test"
    qid, marker = send(d, rcpt)
    line = wait_delivery(d, qid, rcpt, "deferred")
    assert f":{dead}" in line, line
    assert sink_b.messages_with(marker) == []

    d.cli("rule", "remove", "dead")
    assert "dead" not in d.cli("rule", "list").stdout
    # Retry until the daemon has seen the removal (poll with a deadline, no fixed sleep).
    deadline = time.time() + 30
    while not re.search(rf"{re.escape(qid)} to=<{re.escape(rcpt)}> route=\S+ status=sent", d.log("delivery.log")):
        assert time.time() < deadline, "never sent the unmatched way:\n" + "\n".join(delivery_lines(d, qid))
        d.cli("queue", "retry", qid, check=False)
        poll("another delivery attempt", lambda n=len(delivery_lines(d, qid)): len(delivery_lines(d, qid)) > n or
             None, timeout=15)
    sent = wait_delivery(d, qid, rcpt, "sent")
    assert f":{sink_b.port}" in sent, sent
    wait_rcpts(sink_b, marker, [rcpt])
    d.wait_queue_empty()


@pytest.mark.parametrize("args, problem", [
    (["bad1", "foo", "a.test", "127.0.0.1"], "kind must be recipient or sender"),
    (["bad2", "recipient", "a..b", "127.0.0.1"], "pattern 'a..b'"),
    (["bad3", "recipient", "a.test,@b.test", "127.0.0.1"], "pattern '@b.test'"),
    (["bad3b", "recipient", ",", "127.0.0.1"], "needs at least one pattern"),
    (["bad4", "recipient", "a.test", "bad_host!"], "'bad_host!' is not a host name"),
    (["bad5", "recipient", "a.test", "127.0.0.1:0"], "port must be between 1 and 65535"),
    (["bad6", "recipient", "a.test", "127.0.0.1:65536"], "port must be between 1 and 65535"),
    (["bad7", "recipient", "a.test", "127.0.0.1", "--tls", "sometimes"], "tls"),
])
def test_rule_add_rejects_bad_input_and_stores_nothing(daemon_factory, args, problem):
    d = daemon_factory(start=False)
    res = d.cli("rule", "add", *args, check=False)
    assert res.returncode == 1, (res.returncode, res.stdout, res.stderr)
    assert problem in res.stderr, res.stderr
    assert d.cli("rule", "list").stdout.strip() == ""


def test_rule_add_duplicate_name_rejected_and_original_kept(daemon_factory):
    d = daemon_factory(start=False)
    d.cli("rule", "add", "r1", "recipient", "a.test", "127.0.0.1:2525")
    before = d.cli("rule", "list").stdout
    res = d.cli("rule", "add", "r1", "sender", "b.test", "127.0.0.2:2526", check=False)
    assert res.returncode == 1 and "r1" in res.stderr and "already exists" in res.stderr, res.stderr
    assert d.cli("rule", "list").stdout == before
    assert "b.test" not in before


def test_rule_username_without_password_is_rejected(daemon_factory):
    d = daemon_factory(start=False)
    res = d.cli("rule", "add", "r1", "recipient", "a.test", "127.0.0.1", "--username", "u", check=False)
    assert res.returncode != 0 and "--password-stdin" in res.stderr, (res.returncode, res.stdout, res.stderr)
    assert d.cli("rule", "list").stdout.strip() == ""


# ---------------------------------------------------------------- DLV-4: credentials
def via_smarthost(daemon_factory, pf, dns, host="127.0.0.1", **settings):
    return outbound_daemon(daemon_factory, start=False, delivery__smarthost_host=host,
                           delivery__smarthost_port=pf.ports["starttls"], delivery__smarthost_tls="starttls",
                           delivery__smarthost_verify="false", dns__nameservers=dns.nameserver, **settings)


@needs_postfix
def test_stored_credentials_for_ip_used_by_smarthost_without_username(daemon_factory, dns, smarthost):
    d = via_smarthost(daemon_factory, smarthost, dns)
    d.cli("credentials", "add", "127.0.0.1", USER, "--password-stdin", input=PASSWORD + "\n")
    listing = d.cli("credentials", "list").stdout
    assert listing.split() == ["127.0.0.1", USER, "password=********"], listing
    d.start()
    qid, marker = send(d, PF_RCPT)
    wait_delivery(d, qid, PF_RCPT, "sent")
    [msg] = smarthost.wait_messages(PF_RCPT, marker)
    received = received_by_postfix(msg)
    assert f"(Authenticated sender: {USER})" in received and "(using TLSv1." in received, received
    smarthost.wait_log(rf"sasl_username={re.escape(USER)}")
    assert PASSWORD not in d.log("postern.log") + d.log("delivery.log") + d.output()


@needs_postfix
def test_stored_credentials_for_host_name_used(daemon_factory, dns, smarthost):
    d = via_smarthost(daemon_factory, smarthost, dns, host="smarthost.test")
    d.cli("credentials", "add", "smarthost.test", OTHER_USER, "--password-stdin", input=OTHER_PASSWORD + "\n")
    d.start()
    qid, marker = send(d, PF_RCPT)
    wait_delivery(d, qid, PF_RCPT, "sent")
    [msg] = smarthost.wait_messages(PF_RCPT, marker)
    assert f"(Authenticated sender: {OTHER_USER})" in received_by_postfix(msg)


@needs_postfix
def test_routes_own_username_wins_over_stored_credentials(daemon_factory, dns, smarthost):
    d = via_smarthost(daemon_factory, smarthost, dns)
    d.cli("credentials", "add", "127.0.0.1", USER, "--password-stdin", input=PASSWORD + "\n")
    d.cli("config", "set", "delivery.smarthost_username", OTHER_USER, "delivery.smarthost_password", "-",
          input=OTHER_PASSWORD + "\n")
    d.start()
    qid, marker = send(d, PF_RCPT)
    wait_delivery(d, qid, PF_RCPT, "sent")
    [msg] = smarthost.wait_messages(PF_RCPT, marker)
    assert f"(Authenticated sender: {OTHER_USER})" in received_by_postfix(msg)
    smarthost.wait_log(rf"sasl_username={re.escape(OTHER_USER)}")
    assert f"sasl_username={USER}" not in smarthost.log()


@needs_postfix
def test_rule_without_username_uses_stored_credentials_and_own_username_wins(daemon_factory, dns, smarthost):
    d = rules_daemon(daemon_factory, dns, None)
    port = smarthost.ports["starttls"]
    add_rule(d, "anon", "sender", SENDER, f"127.0.0.1:{port}", "--tls", "starttls", "--no-verify")
    add_rule(d, "own", "sender", "zed@outside.test", f"127.0.0.1:{port}", "--tls", "starttls", "--no-verify",
             "--username", OTHER_USER, password=OTHER_PASSWORD)
    d.cli("credentials", "add", "127.0.0.1", USER, "--password-stdin", input=PASSWORD + "\n")
    d.start()
    qid1, marker1 = send(d, PF_RCPT, sender=SENDER)
    qid2, marker2 = send(d, PF_RCPT, sender="zed@outside.test")
    wait_delivery(d, qid1, PF_RCPT, "sent")
    wait_delivery(d, qid2, PF_RCPT, "sent")
    [m1] = smarthost.wait_messages(PF_RCPT, marker1)
    [m2] = smarthost.wait_messages(PF_RCPT, marker2)
    assert f"(Authenticated sender: {USER})" in received_by_postfix(m1)
    assert f"(Authenticated sender: {OTHER_USER})" in received_by_postfix(m2)


def test_credentials_cli_add_list_remove(daemon_factory):
    d = daemon_factory(start=False)
    d.cli("credentials", "add", "smtp.example.net", "me@example.net", "--password-stdin", input="S3cret-xyz\n")
    d.cli("credentials", "add", "127.0.0.1", "other", "--password-stdin", input="An0ther-xyz\n")
    listing = d.cli("credentials", "list").stdout
    assert "S3cret-xyz" not in listing and "An0ther-xyz" not in listing, listing
    lines = sorted(line.split() for line in listing.splitlines() if line.strip())
    assert lines == [["127.0.0.1", "other", "password=********"],
                     ["smtp.example.net", "me@example.net", "password=********"]], listing
    d.cli("credentials", "remove", "smtp.example.net")
    assert "smtp.example.net" not in d.cli("credentials", "list").stdout


# ------------------------------------------------------------------ RLY-2: relay domains
def outside_send(d, sender, rcpts, refused=()):
    """One message from the outside (127.0.0.3, unauthenticated); RCPTs in REFUSED must get
    554 5.7.1, the others 250. Returns (queue id, marker) or None if nothing was accepted."""
    import uuid
    marker = f"<{uuid.uuid4().hex}@outside.test>"
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo("client.outside.test")
        code, text = c.cmd(f"MAIL FROM:<{sender}>")
        assert code == 250, text
        for r in refused:
            code, text = c.cmd(f"RCPT TO:<{r}>")
            assert code == 554 and "5.7.1" in text, (r, code, text)
        for r in rcpts:
            code, text = c.cmd(f"RCPT TO:<{r}>")
            assert code == 250, (r, code, text)
        if not rcpts:
            c.cmd("QUIT")
            return None
        code, text = c.cmd("DATA")
        assert code == 354, text
        c.send(f"From: <{sender}>\r\nTo: <{rcpts[0]}>\r\nSubject: relayed\r\nMessage-ID: {marker}\r\n\r\nhi\r\n.\r\n")
        code, text = c.reply()
        assert code == 250, text
        c.cmd("QUIT")
    m = re.search(r"queued as (\S+)", text)
    assert m, text
    return m.group(1), marker


@needs_sink
def test_relay_domain_with_next_hop_accepted_from_outside_and_delivered(mailserver, dns, sink_a, sink_b):
    d = mailserver(start=False, delivery__mode="direct", dns__nameservers=dns.nameserver,
                   delivery__mx_port=sink_b.port, queue__retry_min_s=3600, queue__retry_max_s=3600)
    d.cli("relay-domain", "add", "hop.test", f"127.0.0.1:{sink_a.port}")
    assert d.cli("relay-domain", "list").stdout.split() == ["hop.test", "->", f"127.0.0.1:{sink_a.port}"]
    d.start()
    rcpt = "user@hop.test"
    qid, marker = outside_send(d, "sender@outside.test", [rcpt], refused=["user@other.test"])
    line = wait_delivery(d, qid, rcpt, "sent")
    assert f":{sink_a.port}" in line, line
    wait_rcpts(sink_a, marker, [rcpt])
    d.wait_queue_empty()
    assert sink_b.messages_with(marker) == []


@needs_sink
def test_relay_domain_without_next_hop_goes_to_its_mx(mailserver, dns, sink_b):
    d = mailserver(start=False, delivery__mode="direct", dns__nameservers=dns.nameserver,
                   delivery__mx_port=sink_b.port, queue__retry_min_s=3600, queue__retry_max_s=3600)
    d.cli("relay-domain", "add", "relay.test")
    d.start()
    rcpt = "user@relay.test"
    qid, marker = outside_send(d, "sender@outside.test", [rcpt], refused=["user@other.test", "x@notcorp.test"])
    line = wait_delivery(d, qid, rcpt, "sent")
    assert f":{sink_b.port}" in line, line
    wait_rcpts(sink_b, marker, [rcpt])
    assert ("MX", "relay.test") in dns.queries()
    d.wait_queue_empty()


def test_outside_client_refused_for_remote_domain_without_relay_domain(mailserver):
    """Control: without the relay-domain rule the same recipient is refused."""
    d = mailserver()
    assert outside_send(d, "sender@outside.test", [], refused=["user@relay.test"]) is None


def test_relay_domain_removed_on_running_daemon_is_refused(mailserver):
    d = mailserver(start=False)
    d.cli("relay-domain", "add", "relay.test")
    d.start()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<s@outside.test>")[0] == 250
        assert c.cmd("RCPT TO:<u@relay.test>")[0] == 250
    d.cli("relay-domain", "remove", "relay.test")
    assert d.cli("relay-domain", "list").stdout.strip() == ""

    def refused():
        with d.raw(source=OUTSIDE_IP) as c:
            c.ehlo()
            assert c.cmd("MAIL FROM:<s@outside.test>")[0] == 250
            code, text = c.cmd("RCPT TO:<u@relay.test>")
            return (code == 554 and "5.7.1" in text) or None
    poll("relay.test to be refused after its removal", refused, timeout=20)


# --------------------------------------------------------------- RLY-1: trusted networks
@needs_sink
def test_trusted_network_relays_without_auth_then_removal_refuses(mailserver, dns, sink_b):
    d = mailserver(start=False, delivery__mode="direct", dns__nameservers=dns.nameserver,
                   delivery__mx_port=sink_b.port, queue__retry_min_s=3600, queue__retry_max_s=3600)
    # Control before the rule exists: the outside client may not relay.
    d.start()
    assert outside_send(d, "sender@outside.test", [], refused=["user@other.test"]) is None
    d.cli("trusted", "add", "office", "127.0.0.3/32,10.9.0.0/16")
    assert d.cli("trusted", "list").stdout.split() == ["office", "127.0.0.3/32,10.9.0.0/16"]

    rcpt = "user@other.test"

    def relays():
        with d.raw(source=OUTSIDE_IP) as c:
            c.ehlo()
            assert c.cmd("MAIL FROM:<s@outside.test>")[0] == 250
            return c.cmd(f"RCPT TO:<{rcpt}>")[0] == 250 or None
    # The CLI's changes are seen by the running daemon at once: the very next connection.
    assert relays(), "the next connection from the new trusted network was refused"

    qid, marker = outside_send(d, "sender@outside.test", [rcpt])
    assert f":{sink_b.port}" in wait_delivery(d, qid, rcpt, "sent")
    wait_rcpts(sink_b, marker, [rcpt])

    d.cli("trusted", "remove", "office")
    assert d.cli("trusted", "list").stdout.strip() == ""

    def refused():
        with d.raw(source=OUTSIDE_IP) as c:
            c.ehlo()
            assert c.cmd("MAIL FROM:<s@outside.test>")[0] == 250
            code, text = c.cmd(f"RCPT TO:<{rcpt}>")
            return (code == 554 and "5.7.1" in text) or None
    assert refused(), "the next connection after removing the trusted network may still relay"
    # The LAN client (127.0.0.2) is unaffected by the trusted-network table.
    with d.raw(source=LAN_IP) as c:
        c.ehlo()
        assert c.cmd("MAIL FROM:<alice@example.test>")[0] == 250
        assert c.cmd(f"RCPT TO:<{rcpt}>")[0] == 250


@needs_sink
def test_trusted_network_configured_before_start_relays(mailserver, dns, sink_b):
    d = mailserver(start=False, delivery__mode="direct", dns__nameservers=dns.nameserver,
                   delivery__mx_port=sink_b.port, queue__retry_min_s=3600, queue__retry_max_s=3600)
    d.cli("trusted", "add", "outside", "127.0.0.3/32")
    d.start()
    rcpt = "user@other.test"
    qid, marker = outside_send(d, "sender@outside.test", [rcpt])
    wait_delivery(d, qid, rcpt, "sent")
    wait_rcpts(sink_b, marker, [rcpt])
    d.wait_queue_empty()


# ------------------------------------------------------------------------ more edges
@needs_sink
def test_rules_match_domains_case_insensitively(daemon_factory, dns, sink_a, sink_b):
    d = rules_daemon(daemon_factory, dns, sink_b)
    add_rule(d, "to-a", "recipient", "Ruled.Test", f"127.0.0.1:{sink_a.port}", "--tls", "opportunistic",
             "--no-verify")
    add_rule(d, "sub", "recipient", ".Corp.Test", f"127.0.0.1:{sink_a.port}", "--tls", "opportunistic",
             "--no-verify")
    d.start()
    rcpts = ["x@RULED.test", "y@ruled.TEST", "z@Eu.CORP.test"]
    qid, marker = send(d, rcpts)
    stored = [r.split("@")[0] + "@" + r.split("@")[1].lower() for r in rcpts]  # domains are stored lower-case
    for r in stored:
        line = wait_delivery(d, qid, r, "sent")
        assert f":{sink_a.port}" in line, line
    wait_rcpts(sink_a, marker, stored)
    assert sink_b.messages_with(marker) == []


@needs_sink
def test_sender_rule_does_not_divert_local_recipients(daemon_factory, dns, sink_a, sink_b):
    """A sender rule picks the smart host for *remote* mail; alice's mail to a local
    mailbox still lands in that mailbox."""
    d = rules_daemon(daemon_factory, dns, sink_b)
    d.add_user("bob@example.test", "bob-secret-22")
    add_rule(d, "alice-out", "sender", SENDER, f"127.0.0.1:{sink_a.port}", "--tls", "opportunistic", "--no-verify")
    add_rule(d, "local-dom", "recipient", "example.test", f"127.0.0.1:{sink_a.port}", "--tls", "opportunistic",
             "--no-verify")
    d.start()
    qid, marker = send(d, ["bob@example.test", "y@other.test"], sender=SENDER)
    [msg] = d.wait_messages("bob@example.test", 1)
    assert marker.encode() in msg
    assert f":{sink_a.port}" in wait_delivery(d, qid, "y@other.test", "sent")
    wait_rcpts(sink_a, marker, ["y@other.test"])
    d.wait_queue_empty()


@needs_sink
def test_one_message_split_by_rules_into_per_host_transactions(daemon_factory, dns, sink_a, sink_b, sink_c):
    d = rules_daemon(daemon_factory, dns, sink_b)
    add_rule(d, "a", "recipient", "a.test,special@c.test", f"127.0.0.1:{sink_a.port}", "--tls", "opportunistic",
             "--no-verify")
    add_rule(d, "c", "recipient", "c.test", f"127.0.0.1:{sink_c.port}", "--tls", "opportunistic", "--no-verify")
    d.start()
    rcpts = ["one@a.test", "special@c.test", "two@c.test", "three@other.test"]
    qid, marker = send(d, rcpts)
    lines = {r: wait_delivery(d, qid, r, "sent") for r in rcpts}
    assert f":{sink_c.port}" in lines["two@c.test"], lines
    wait_rcpts(sink_a, marker, ["one@a.test", "special@c.test"])
    wait_rcpts(sink_c, marker, ["two@c.test"])
    wait_rcpts(sink_b, marker, ["three@other.test"])


@needs_postfix
def test_rule_over_implicit_tls_with_credentials(daemon_factory, dns, smarthost):
    d = rules_daemon(daemon_factory, dns, None)
    add_rule(d, "pf-implicit", "recipient", ".remote.test", f"127.0.0.1:{smarthost.ports['implicit']}", "--tls",
             "implicit", "--no-verify", "--username", USER, password=PASSWORD)
    d.start()
    qid, marker = send(d, PF_RCPT)
    line = wait_delivery(d, qid, PF_RCPT, "sent")
    assert f":{smarthost.ports['implicit']}" in line and "TLSv1." in line, line
    [msg] = smarthost.wait_messages(PF_RCPT, marker)
    received = received_by_postfix(msg)
    assert "(using TLSv1." in received and f"(Authenticated sender: {USER})" in received, received


@needs_postfix
def test_rule_by_host_name_verified_with_stored_credentials(daemon_factory, dns, smarthost):
    d = rules_daemon(daemon_factory, dns, None, tls__ca_file=smarthost.ca_file)
    add_rule(d, "pf-name", "sender", SENDER, f"smarthost.test:{smarthost.ports['starttls']}", "--tls", "starttls")
    d.cli("credentials", "add", "smarthost.test", USER, "--password-stdin", input=PASSWORD + "\n")
    d.start()
    qid, marker = send(d, PF_RCPT)
    line = wait_delivery(d, qid, PF_RCPT, "sent")
    assert f"smarthost.test[127.0.0.1]:{smarthost.ports['starttls']}" in line and "verified" in line, line
    [msg] = smarthost.wait_messages(PF_RCPT, marker)
    assert f"(Authenticated sender: {USER})" in received_by_postfix(msg)


@needs_postfix
def test_credentials_host_matched_case_insensitively(daemon_factory, dns, smarthost):
    d = via_smarthost(daemon_factory, smarthost, dns, host="smarthost.test")
    d.cli("credentials", "add", "SmartHost.TEST", USER, "--password-stdin", input=PASSWORD + "\n")
    d.start()
    qid, marker = send(d, PF_RCPT)
    wait_delivery(d, qid, PF_RCPT, "sent")
    [msg] = smarthost.wait_messages(PF_RCPT, marker)
    assert f"(Authenticated sender: {USER})" in received_by_postfix(msg)


@needs_postfix
def test_removed_credentials_no_longer_used(daemon_factory, dns, smarthost):
    d = via_smarthost(daemon_factory, smarthost, dns)
    d.cli("credentials", "add", "127.0.0.1", USER, "--password-stdin", input=PASSWORD + "\n")
    d.start()
    qid, marker = send(d, PF_RCPT)
    wait_delivery(d, qid, PF_RCPT, "sent")
    d.cli("credentials", "remove", "127.0.0.1")
    assert d.cli("credentials", "list").stdout.strip() == ""
    qid2, marker2 = send(d, PF_RCPT)
    line = wait_delivery(d, qid2, PF_RCPT, "bounced")
    assert "554 5.7.1" in line, line  # Postfix relays only for authenticated clients
    assert smarthost.messages(PF_RCPT, marker2) == []


@needs_sink
def test_relay_domain_next_hop_wins_over_smarthost_mode(mailserver, sink_a):
    """The mailserver fixture sends remote mail through a dead smart host (127.0.0.1:1);
    a relay domain's own next hop is used regardless."""
    d = mailserver(start=False)
    d.cli("relay-domain", "add", "hop.test", f"127.0.0.1:{sink_a.port}")
    d.start()
    qid, marker = outside_send(d, "sender@outside.test", ["User@Hop.Test"])
    rcpt = "User@hop.test"  # the domain is stored lower-case
    line = wait_delivery(d, qid, rcpt, "sent")
    assert f":{sink_a.port}" in line, line
    wait_rcpts(sink_a, marker, [rcpt])


@pytest.mark.parametrize("args, problem", [
    (["wide", "0.0.0.0/0"], "wide"),
    (["bad", "127.0.0.3/33"], "127.0.0.3/33"),
    (["bad", "not-a-net"], "not-a-net"),
])
def test_trusted_add_rejects_bad_or_too_wide_networks(daemon_factory, args, problem):
    d = daemon_factory(start=False)
    res = d.cli("trusted", "add", *args, check=False)
    assert res.returncode == 1, (res.returncode, res.stdout, res.stderr)
    assert problem in res.stderr, res.stderr
    assert d.cli("trusted", "list").stdout.strip() == ""


@pytest.mark.parametrize("args, problem", [
    (["bad..test"], "bad..test"),
    (["hop.test", "127.0.0.1:0"], "port"),
    (["hop.test", "bad_host!"], "bad_host!"),
])
def test_relay_domain_add_rejects_bad_input(daemon_factory, args, problem):
    d = daemon_factory(start=False)
    res = d.cli("relay-domain", "add", *args, check=False)
    assert res.returncode == 1, (res.returncode, res.stdout, res.stderr)
    assert problem in res.stderr, res.stderr
    assert d.cli("relay-domain", "list").stdout.strip() == ""


@needs_sink
def test_removed_rule_waiting_mail_with_another_matching_rule(daemon_factory, dns, sink_b, sink_c):
    """Two rules match; the first one's host is down. After removing the first rule the
    waiting mail is routed afresh: the remaining matching rule, not the first rule's host."""
    dead = free_port()
    d = rules_daemon(daemon_factory, dns, sink_b)
    add_rule(d, "dead", "recipient", "other.test", f"127.0.0.1:{dead}", "--tls", "opportunistic", "--no-verify")
    add_rule(d, "alt", "recipient", ".other.test", f"127.0.0.1:{sink_c.port}", "--tls", "opportunistic",
             "--no-verify")
    d.start()
    rcpt = "y@other.test"
    qid, marker = send(d, rcpt)
    assert f":{dead}" in wait_delivery(d, qid, rcpt, "deferred")
    d.cli("rule", "remove", "dead")
    d.cli("queue", "retry", qid)
    line = poll("the retry's outcome", lambda: [l for l in delivery_lines(d, qid) if "status=" in l][1:] or None)[0]
    assert f":{sink_c.port}" in line, line
    wait_rcpts(sink_c, marker, [rcpt])


@needs_sink
def test_sender_dot_domain_rule(daemon_factory, dns, sink_a, sink_b):
    d = rules_daemon(daemon_factory, dns, sink_b)
    add_rule(d, "our-domain", "sender", ".example.test", f"127.0.0.1:{sink_a.port}", "--tls", "opportunistic",
             "--no-verify")
    d.start()
    rcpt = "y@other.test"
    qid1, marker1 = send(d, rcpt, sender=SENDER)
    qid2, marker2 = send(d, rcpt, sender="x@sub.example.test")
    qid3, marker3 = send(d, rcpt, sender="x@notexample.test")
    assert f":{sink_a.port}" in wait_delivery(d, qid1, rcpt, "sent")
    assert f":{sink_a.port}" in wait_delivery(d, qid2, rcpt, "sent")
    assert f":{sink_b.port}" in wait_delivery(d, qid3, rcpt, "sent")


@needs_sink
@pytest.mark.parametrize("cred_host", ["127.0.0.1", "mx.direct.test"])
def test_stored_credentials_not_used_for_direct_mx_delivery(daemon_factory, dns, sink_a, sink_b, cred_host):
    """DLV-4 fills in a login for a *route* (smart host setting or rule) without one. Mail
    that matches no rule goes direct to the MX: no credentials there, even when the MX has
    the same name or address as a host with stored credentials."""
    d = rules_daemon(daemon_factory, dns, sink_b)
    add_rule(d, "to-a", "recipient", "ruled.test", f"127.0.0.1:{sink_a.port}", "--tls", "opportunistic",
             "--no-verify")
    d.cli("credentials", "add", cred_host, USER, "--password-stdin", input=PASSWORD + "\n")
    d.start()
    rcpt = "y@other.test"
    qid, marker = send(d, rcpt)
    [line] = poll("the first delivery attempt", lambda: [l for l in delivery_lines(d, qid) if "status=" in l] or None)
    assert "status=sent" in line and f":{sink_b.port}" in line, line
    wait_rcpts(sink_b, marker, [rcpt])


@needs_postfix
def test_stored_smarthost_password_never_sent_to_an_mx(daemon_factory, dns, smarthost):
    """Credentials stored for 127.0.0.1 (meant for a smart host) and a direct delivery
    whose MX is 127.0.0.1 too (here the private Postfix, offering STARTTLS and AUTH):
    Postern must not log in to an MX with them. This Postfix relays only for authenticated
    clients, so without AUTH the message is refused (554) - the expected outcome."""
    d = outbound_daemon(daemon_factory, start=False, delivery__mode="direct", dns__nameservers=dns.nameserver,
                        delivery__mx_port=smarthost.ports["starttls"])
    d.cli("credentials", "add", "127.0.0.1", USER, "--password-stdin", input=PASSWORD + "\n")
    d.start()
    qid, marker = send(d, PF_RCPT)
    poll("a delivery outcome", lambda: [l for l in delivery_lines(d, qid) if "status=" in l] or None)
    sessions = poll("Postern's session in the Postfix log",
                    lambda: [s for s in re.findall(r"(?m)^.*/smtpd\[\d+\]: disconnect from .*$", smarthost.log())
                             if "ehlo=" in s] or None, timeout=20)
    assert not re.search(r"sasl_username=", smarthost.log()), \
        "Postern authenticated to an MX with stored smart-host credentials:\n" + smarthost.log()[-1500:]
    for session in sessions:
        assert "auth=" not in session, session
    assert smarthost.messages(PF_RCPT, marker) == []


def test_relay_table_cli_refusals(daemon_factory):
    d = daemon_factory(start=False)
    d.add_domain("example.test")
    d.cli("relay-domain", "add", "hop.test")
    d.cli("trusted", "add", "office", "127.0.0.3/32")
    cases = [
        (["rule", "remove", "nope"], "does not exist"),
        (["credentials", "remove", "nope.test"], "no credentials stored for nope.test"),
        (["trusted", "remove", "nope"], "does not exist"),
        (["trusted", "add", "office", "127.0.0.4/32"], "already exists"),
        (["relay-domain", "remove", "nope.test"], "does not exist"),
        (["relay-domain", "add", "HOP.test", "127.0.0.1:25"], "already exists"),
        (["relay-domain", "add", "example.test"], "hosted here"),
    ]
    for args, problem in cases:
        res = d.cli(*args, check=False)
        assert res.returncode == 1 and problem in res.stderr, (args, res.returncode, res.stderr)
    res = d.cli("credentials", "add", "h.test", "u", "--password-stdin", input="", check=False)
    assert res.returncode == 1 and "password" in res.stderr, res.stderr
    assert d.cli("relay-domain", "list").stdout.split() == ["hop.test", "->", "(MX)"]
    assert d.cli("trusted", "list").stdout.split() == ["office", "127.0.0.3/32"]
    assert d.cli("credentials", "list").stdout.strip() == "" and d.cli("rule", "list").stdout.strip() == ""

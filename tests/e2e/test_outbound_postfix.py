"""Issue 4, outbound delivery through an authenticated smart host: a REAL private Postfix
(peers.PostfixSmarthost) on 127.0.0.1 that requires TLS (STARTTLS, or implicit TLS on its
own port) and SASL AUTH (Cyrus sasldb, PLAIN/LOGIN) before it relays, with a certificate
from a throw-away test CA for the names smarthost.test and localhost.

One Postfix per test module and xdist worker (a worker runs its tests one at a time);
each test reads only the Postfix log written since it started (smarthost fixture)."""
import base64
import re

import pytest

from peers import (SENDER, LogView, PostfixSmarthost, delivery_lines, have_postfix_sasl, outbound_daemon, poll,
                   postern_texts, queue_lines, send, wait_delivery)

pytestmark = pytest.mark.skipif(not have_postfix_sasl(),
                                reason="postfix with Cyrus SASL, sasl2-bin and libsasl2-modules are needed")

USER = "relay@smarthost.test"
PASSWORD = "Relay-Pa55-s3cret"
ODD_USER = "odd@smarthost.test"
ODD_PASSWORD = 'pa ss:w=rd#"\\ü-%s'  # space, quote, backslash, non-ASCII, printf-like
WRONG = "Wr0ng-Pa55-guess"
RCPT = "carol@remote.test"


@pytest.fixture(scope="module")
def postfix():
    with PostfixSmarthost(users={USER: PASSWORD, ODD_USER: ODD_PASSWORD}) as pf:
        yield pf


@pytest.fixture
def smarthost(postfix):
    view = LogView(postfix)
    yield view
    view.wait_sessions_ended()


@pytest.fixture
def dns():
    """A real DNS server (dnsmasq, dns_server.py) where smarthost.test is 127.0.0.1, for
    the tests that need the smart host's *name* (certificate checks); /etc/hosts is never
    edited."""
    from dns_server import DnsServer
    with DnsServer([("smarthost.test", "A", "127.0.0.1")]) as server:
        yield server


def via(pf, daemon_factory, listener="starttls", tls="starttls", host="127.0.0.1", verify="false",
        username=USER, password=PASSWORD, start=True, dns=None, **settings):
    if dns is not None:
        settings["dns__nameservers"] = dns.nameserver
    d = outbound_daemon(daemon_factory, start=False, delivery__smarthost_host=host,
                        delivery__smarthost_port=pf.ports[listener], delivery__smarthost_tls=tls,
                        delivery__smarthost_verify=verify, **settings)
    if username:
        # The documented way: the password from standard input, never on a command line.
        d.cli("config", "set", "delivery.smarthost_username", username, "delivery.smarthost_password", "-",
              input=password + "\n")
    if start:
        d.start()
    return d


def assert_secret_nowhere(d, *secrets):
    """No Postern log, no daemon output and no admin listing shows a password, neither in
    clear nor as the base64 of an AUTH PLAIN token."""
    texts = postern_texts(d)
    texts["config list"] = d.cli("config", "list").stdout
    texts["config get"] = d.cli("config", "get", "delivery.smarthost_password").stdout
    texts["queue list"] = "\n".join(d.queue_list())
    for secret in secrets:
        forms = [secret, base64.b64encode(secret.encode()).decode()] + \
                [base64.b64encode(f"\0{user}\0{secret}".encode()).decode() for user in (USER, ODD_USER)]
        for name, text in texts.items():
            for form in forms:
                assert form not in text, f"password ({form!r}) appears in {name}"
    assert texts["config get"].strip() == "********", texts["config get"]
    assert "delivery.smarthost_password=********" in texts["config list"].splitlines()


# ----------------------------------------------------------------------- STARTTLS+AUTH
def test_starttls_auth_delivers_and_smarthost_sees_tls_and_user(smarthost, daemon_factory):
    d = via(smarthost, daemon_factory)
    qid, marker = send(d, RCPT, subject="through postfix")
    line = wait_delivery(d, qid, RCPT, "sent")
    assert f"127.0.0.1[127.0.0.1]:{smarthost.ports['starttls']}" in line and "TLSv1." in line, line
    assert "verified" not in line, "verify=false against an IP: nothing was verified"
    [msg] = smarthost.wait_messages(RCPT, marker)
    text = msg.decode()
    received = re.search(r"^Received: from mail\.example\.test .*?(?=^\S)", text, re.M | re.S)
    assert received, text[:1500]
    received = received.group(0)
    assert "(using TLSv1." in received, received
    assert f"(Authenticated sender: {USER})" in received, received
    assert "with ESMTPSA" in received, received  # S = TLS, A = authenticated
    smarthost.wait_log(rf"client=localhost\[127\.0\.0\.1\], sasl_method=(PLAIN|LOGIN), "
                       rf"sasl_username={re.escape(USER)}")
    [session] = smarthost.postern_sessions()
    assert "starttls=1" in session and "auth=1 " in session and "mail=1" in session, session
    d.wait_queue_empty()
    assert d.messages(SENDER) == []
    assert_secret_nowhere(d, PASSWORD)


def test_wrong_password_defers_without_leaking_it_then_fixed_password_delivers(smarthost, daemon_factory):
    d = via(smarthost, daemon_factory, password=WRONG)
    qid, marker = send(d, RCPT)
    line = wait_delivery(d, qid, RCPT, "deferred")
    assert "refused our credentials" in line and "535" in line, line
    [entry] = queue_lines(d, qid)
    assert "refused our credentials" in entry, entry
    assert d.messages(SENDER) == [], "a credentials problem must not bounce the mail"
    smarthost.wait_log(r"SASL (PLAIN|LOGIN) authentication failed")
    [session] = smarthost.postern_sessions()
    assert "starttls=1" in session and "auth=0/1" in session and "mail=" not in session, session
    assert smarthost.messages(RCPT, marker) == []
    assert_secret_nowhere(d, WRONG)

    # The admin fixes the password on the running daemon, then retries the message.
    before = d.reloads()
    d.cli("config", "set", "delivery.smarthost_password", "-", input=PASSWORD + "\n")
    poll("the daemon to reload its settings", lambda: d.reloads() > before, timeout=20)
    d.cli("queue", "retry", qid)
    wait_delivery(d, qid, RCPT, "sent")
    smarthost.wait_messages(RCPT, marker)
    d.wait_queue_empty()
    assert len(smarthost.messages(RCPT, marker)) == 1
    assert_secret_nowhere(d, WRONG, PASSWORD)


def test_without_credentials_smarthost_refuses_to_relay(smarthost, daemon_factory):
    """Control for the setup: this Postfix really relays only for authenticated clients."""
    d = via(smarthost, daemon_factory, username=None)
    qid, marker = send(d, RCPT, subject="no credentials")
    line = wait_delivery(d, qid, RCPT, "bounced")
    # smtpd_relay_restrictions = permit_sasl_authenticated, reject
    assert "554 5.7.1" in line and "Access denied" in line, line
    [bounce] = d.wait_messages(SENDER, 1)
    assert "Access denied" in bounce.decode()
    assert smarthost.messages(RCPT, marker) == []


# --------------------------------------------------------------------- no TLS offered
def test_required_starttls_not_offered_defers_and_sends_nothing_in_clear(smarthost, daemon_factory):
    d = via(smarthost, daemon_factory, listener="plain", tls="starttls")
    qid, marker = send(d, RCPT)
    line = wait_delivery(d, qid, RCPT, "deferred")
    assert "does not offer STARTTLS" in line, line
    [session] = smarthost.postern_sessions()
    assert "auth" not in session and "mail=" not in session and "rcpt=" not in session, session
    assert smarthost.messages(RCPT, marker) == []
    assert d.messages(SENDER) == []
    assert_secret_nowhere(d, PASSWORD)


def test_opportunistic_never_sends_credentials_in_clear(smarthost, daemon_factory):
    d = via(smarthost, daemon_factory, listener="plain", tls="opportunistic")
    qid, marker = send(d, RCPT)
    line = wait_delivery(d, qid, RCPT, "deferred")
    assert "without TLS" in line, line
    for session in smarthost.postern_sessions():
        assert "auth" not in session and "mail=" not in session, session
    assert smarthost.messages(RCPT, marker) == []


def test_opportunistic_without_credentials_may_send_in_clear(smarthost, daemon_factory):
    """Control for the two tests above: the plain listener does accept mail in clear, so
    nothing arriving there really means nothing was sent."""
    d = via(smarthost, daemon_factory, listener="plain", tls="opportunistic", username=None)
    qid, marker = send(d, RCPT)
    wait_delivery(d, qid, RCPT, "sent")
    [msg] = smarthost.wait_messages(RCPT, marker)
    assert "using TLS" not in msg.decode()


def test_auth_login_when_plain_is_not_offered(smarthost, daemon_factory):
    d = via(smarthost, daemon_factory, listener="loginonly")
    qid, marker = send(d, RCPT)
    wait_delivery(d, qid, RCPT, "sent")
    smarthost.wait_messages(RCPT, marker)
    smarthost.wait_log(rf"sasl_method=LOGIN, sasl_username={re.escape(USER)}")
    assert_secret_nowhere(d, PASSWORD)


def test_password_with_odd_characters_set_from_stdin(smarthost, daemon_factory):
    d = via(smarthost, daemon_factory, username=ODD_USER, password=ODD_PASSWORD)
    qid, marker = send(d, RCPT)
    wait_delivery(d, qid, RCPT, "sent")
    [msg] = smarthost.wait_messages(RCPT, marker)
    assert f"(Authenticated sender: {ODD_USER})" in msg.decode()
    assert_secret_nowhere(d, ODD_PASSWORD)


# ------------------------------------------------------------------------ implicit TLS
def test_implicit_tls_with_auth_delivers(smarthost, daemon_factory):
    d = via(smarthost, daemon_factory, listener="implicit", tls="implicit")
    qid, marker = send(d, RCPT, subject="implicit tls")
    line = wait_delivery(d, qid, RCPT, "sent")
    assert "TLSv1." in line, line
    [msg] = smarthost.wait_messages(RCPT, marker)
    text = msg.decode()
    assert "(using TLSv1." in text and f"(Authenticated sender: {USER})" in text, text[:1500]
    [session] = smarthost.postern_sessions()
    assert "starttls" not in session and "auth=1 " in session, session
    assert_secret_nowhere(d, PASSWORD)


def test_implicit_tls_against_starttls_port_defers(smarthost, daemon_factory):
    d = via(smarthost, daemon_factory, listener="starttls", tls="implicit", delivery__command_timeout_s=5)
    qid, marker = send(d, RCPT)
    line = wait_delivery(d, qid, RCPT, "deferred", timeout=40)
    assert "TLS handshake failed" in line, line
    assert smarthost.messages(RCPT, marker) == []


# ------------------------------------------------------------------- certificate check
def test_verify_with_ip_host_defers_no_name_to_check(smarthost, daemon_factory):
    """delivery.smarthost_verify means "a valid certificate for the host's name"; an IP
    host has no name (and this certificate names no IP address), so even a certificate
    from a trusted CA must not pass: deferred, and no credentials or mail sent."""
    d = via(smarthost, daemon_factory, verify="true", tls__ca_file=smarthost.ca_file)
    qid, marker = send(d, RCPT)
    line = wait_delivery(d, qid, RCPT, "deferred")
    assert "did not verify" in line, line
    for session in smarthost.postern_sessions():
        assert "auth" not in session and "mail=" not in session, "credentials sent to an unverified host: " + session
    assert smarthost.messages(RCPT, marker) == []


def test_verify_by_name_with_test_ca_delivers(smarthost, daemon_factory, dns):
    d = via(smarthost, daemon_factory, host="smarthost.test", verify="true", tls__ca_file=smarthost.ca_file,
            dns=dns)
    qid, marker = send(d, RCPT)
    line = wait_delivery(d, qid, RCPT, "sent")
    assert f"smarthost.test[127.0.0.1]:{smarthost.ports['starttls']}" in line and "verified" in line, line
    smarthost.wait_messages(RCPT, marker)
    assert ("A", "smarthost.test") in dns.queries()


def test_verify_by_name_over_implicit_tls_delivers(smarthost, daemon_factory, dns):
    d = via(smarthost, daemon_factory, listener="implicit", tls="implicit", host="smarthost.test", verify="true",
            tls__ca_file=smarthost.ca_file, dns=dns)
    qid, marker = send(d, RCPT)
    assert "verified" in wait_delivery(d, qid, RCPT, "sent")
    smarthost.wait_messages(RCPT, marker)


def test_verify_without_the_test_ca_defers(smarthost, daemon_factory, dns):
    d = via(smarthost, daemon_factory, host="smarthost.test", verify="true", dns=dns)
    qid, marker = send(d, RCPT)
    line = wait_delivery(d, qid, RCPT, "deferred")
    assert "did not verify" in line, line
    for session in smarthost.postern_sessions():
        assert "auth" not in session and "mail=" not in session, session
    assert smarthost.messages(RCPT, marker) == []


def test_verify_certificate_for_another_name_defers(smarthost, daemon_factory, dns):
    d = via(smarthost, daemon_factory, listener="wrongname", host="smarthost.test", verify="true",
            tls__ca_file=smarthost.ca_file, dns=dns)
    qid, marker = send(d, RCPT)
    line = wait_delivery(d, qid, RCPT, "deferred")
    assert "did not verify" in line, line
    for session in smarthost.postern_sessions():
        assert "auth" not in session and "mail=" not in session, session
    assert smarthost.messages(RCPT, marker) == []


def test_unresolvable_smarthost_name_defers(smarthost, daemon_factory, dns):
    d = via(smarthost, daemon_factory, host="nowhere.test", dns=dns)
    qid, marker = send(d, RCPT)
    line = wait_delivery(d, qid, RCPT, "deferred")
    assert "cannot resolve smart host nowhere.test" in line, line
    assert d.messages(SENDER) == []


# ------------------------------------------------------------- per-recipient outcomes
def test_mixed_recipient_replies_in_one_transaction(smarthost, daemon_factory):
    ok, hard, soft = "olga@remote.test", "hard-hank@remote.test", "soft-sam@remote.test"
    d = via(smarthost, daemon_factory)
    qid, marker = send(d, [ok, hard, soft], subject="mixed")
    wait_delivery(d, qid, ok, "sent")
    hard_line = wait_delivery(d, qid, hard, "bounced")
    assert "hard-rejected: no such user here" in hard_line, hard_line
    soft_line = wait_delivery(d, qid, soft, "deferred")
    assert "soft-rejected: mailbox busy" in soft_line, soft_line
    [session] = smarthost.postern_sessions()
    assert "rcpt=1/3" in session and "data=1" in session, session

    [msg] = smarthost.wait_messages(ok, marker)
    [bounce] = d.wait_messages(SENDER, 1)
    text = bounce.decode()
    report = text.split("Content-Type: message/delivery-status")[1].split("Content-Type: text/rfc822-headers")[0]
    assert f"Final-Recipient: rfc822; {hard}" in report and "Status: 5.1.1" in report, text
    assert ok not in report and soft not in report, "only the failed recipient is reported: " + report
    assert [l.split(" -> ")[1].split()[0] for l in queue_lines(d, qid)] == [f"<{soft}>"]

    # Retrying retries only the deferred recipient: the delivered one gets no second copy.
    d.cli("queue", "retry", qid)
    poll("a second deferral", lambda: len([l for l in delivery_lines(d, qid) if "status=deferred" in l]) >= 2)
    [entry] = queue_lines(d, qid)
    assert "attempts=2" in entry, entry
    assert len(smarthost.messages(ok, marker)) == 1
    assert len(d.messages(SENDER)) == 1, "one bounce, not one per attempt"


def test_bounce_for_remote_sender_leaves_with_null_sender_through_smarthost(smarthost, daemon_factory):
    """The sender is not local: the DSN itself goes out through the smart host, with
    MAIL FROM:<> and still authenticated."""
    sender, bad = "sam@remote.test", "hard-henry@remote.test"
    d = via(smarthost, daemon_factory)
    qid, marker = send(d, bad, sender=sender, subject="bounce goes remote")
    wait_delivery(d, qid, bad, "bounced")
    [dsn] = smarthost.wait_messages(sender)
    text = dsn.decode()
    assert text.startswith("Return-Path: <>"), text[:300]
    assert "multipart/report; report-type=delivery-status" in text
    assert f"Final-Recipient: rfc822; {bad}" in text and "hard-rejected: no such user here" in text
    assert marker in text, "the DSN returns the original headers"
    assert re.search(r"(?m)from=<>, size=", smarthost.log()), "Postfix saw the null sender"
    assert f"(Authenticated sender: {USER})" in text
    d.wait_queue_empty()


def test_all_recipients_refused_with_pipelining_sends_no_message(smarthost, daemon_factory):
    """Postfix offers PIPELINING: MAIL, RCPTs and DATA go in one batch. With every RCPT
    refused, Postfix answers DATA with 554 and Postern must not send a message body."""
    a, b = "hard-a@remote.test", "hard-b@remote.test"
    d = via(smarthost, daemon_factory)
    qid, marker = send(d, [a, b], subject="nobody home")
    for r in (a, b):
        wait_delivery(d, qid, r, "bounced")
    [session] = smarthost.postern_sessions()
    assert "rcpt=0/2" in session and "data=1" not in session, session
    assert smarthost.messages(marker=marker) == []
    [bounce] = d.wait_messages(SENDER, 1)
    assert bounce.decode().count("Final-Recipient:") == 2, "one DSN listing both recipients"
    d.wait_queue_empty()

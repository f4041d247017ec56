"""Issue 11, DKIM signing: mail that Postern's own users send (LAN client, authenticated
user) and that leaves for a real peer on loopback (Postfix's smtp-sink, as the recipient
domain's MX from the test's DNS server) carries a DKIM-Signature that Python's dkim module
verifies with the public key Postern printed, served by that DNS server; mail from the
outside is never signed; keys are managed from the CLI and the admin API."""
import os
import re
import stat

import pytest

from admin_api import AdminApi, start_admin
from dkim_helpers import generate_key, signature_tags, txt_record, verify
from dns_server import DnsServer
from peers import SENDER, SENDER_PASSWORD, SmtpSink, have_smtp_sink, outbound_daemon

pytestmark = pytest.mark.skipif(not have_smtp_sink(), reason="smtp-sink (package postfix) is not installed")

SELECTOR = "e2e2026"


@pytest.fixture
def sink():
    with SmtpSink() as s:
        yield s


def signing_daemon(daemon_factory, sink, dns_records=(), **settings):
    """Postern hosting example.test (alice) with a DKIM key, delivering direct to the MX of
    far.test (127.0.0.1, the sink's port); 127.0.0.2 is the LAN, 127.0.0.3 the outside.
    Returns (daemon, DNS server): the DNS server publishes the key Postern printed."""
    d = outbound_daemon(daemon_factory, start=False, delivery__mode="direct", delivery__mx_port=sink.port,
                        network__lan="127.0.0.2/32", **settings)
    name, value = generate_key(d, "example.test", SELECTOR)
    assert name == f"{SELECTOR}._domainkey.example.test"
    assert value.startswith("v=DKIM1; k=rsa; p=")
    dns = DnsServer([("far.test", "MX", 10, "mx.far.test"), ("mx.far.test", "A", "127.0.0.1"),
                     txt_record(name, value), *dns_records]).start()
    d.set(dns__nameservers=dns.nameserver)
    d.start()
    return d, dns


def test_lan_mail_is_signed_and_verifies(sink, daemon_factory):
    d, dns = signing_daemon(daemon_factory, sink)
    try:
        key = d.data_dir / "dkim" / "example.test" / f"{SELECTOR}.pem"
        assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
        with d.smtp(source="127.0.0.2") as s:
            s.sendmail(SENDER, ["carol@far.test"], (f"From: Alice <{SENDER}>\r\nTo: carol@far.test\r\n"
                                                    "Subject: signed\r\nDate: Thu, 26 Nov 2026 10:00:00 +0000\r\n"
                                                    "Message-ID: <lan-1@example.test>\r\n\r\n"
                                                    "Hello from the LAN.\r\n"))
        raw = sink.wait_message_with("lan-1@example.test")
        tags = signature_tags(raw)
        assert tags["a"] == "rsa-sha256" and tags["c"] == "relaxed/relaxed", tags
        assert tags["d"] == "example.test" and tags["s"] == SELECTOR, tags
        signed = tags["h"].lower().split(":")
        for header in ("from", "to", "subject", "date", "message-id"):
            assert header in signed, tags["h"]
        assert "received" not in signed and signed.count("from") == 2, tags["h"]  # From over-signed
        assert verify(raw, dns.nameserver), "python3-dkim does not accept Postern's signature"
        # The verifier is real: a changed body breaks the signature.
        assert not verify(raw.replace(b"Hello from the LAN.", b"Hello from somebody else."), dns.nameserver)
        assert re.search(r"queued id=\S+ .* dkim=example\.test", d.log("smtp.log"))
    finally:
        dns.stop()


def test_authenticated_submission_is_signed_with_date_and_message_id_added(sink, daemon_factory):
    d, dns = signing_daemon(daemon_factory, sink)
    try:
        with d.smtp("submission", source="127.0.0.3") as s:
            s.starttls(context=__import__("conftest").tls_context())
            s.login(SENDER, SENDER_PASSWORD)
            # No Date and no Message-ID: the submission service adds them, before signing.
            s.sendmail(SENDER, ["dave@far.test"], f"From: {SENDER}\r\nTo: dave@far.test\r\nSubject: auth-42\r\n\r\nbody\r\n")
        raw = sink.wait_message_with("auth-42")
        tags = signature_tags(raw)
        assert "date" in tags["h"].lower() and "message-id" in tags["h"].lower(), tags["h"]
        assert verify(raw, dns.nameserver)
    finally:
        dns.stop()


def test_mail_from_outside_is_not_signed(sink, daemon_factory):
    d, dns = signing_daemon(daemon_factory, sink)
    try:
        # Even with a From in the hosted domain: a stranger's message is never signed.
        with d.smtp(source="127.0.0.3") as s:
            s.sendmail("someone@elsewhere.test", [SENDER],
                       f"From: {SENDER}\r\nTo: {SENDER}\r\nSubject: from outside\r\n\r\nhi\r\n")
        msg = d.wait_messages(SENDER, 1)[0]
        assert b"Subject: from outside" in msg
        assert b"DKIM-Signature" not in msg
        # And with dkim.sign off, our own mail goes unsigned.
        d.set_live(dkim__sign="false")
        with d.smtp(source="127.0.0.2") as s:
            s.sendmail(SENDER, ["erin@far.test"], f"From: {SENDER}\r\nTo: erin@far.test\r\nSubject: unsigned-7\r\n\r\nhi\r\n")
        assert b"DKIM-Signature" not in sink.wait_message_with("unsigned-7")
    finally:
        dns.stop()


def test_cli_and_api_manage_keys_without_showing_the_private_key(daemon_factory):
    d = start_admin(daemon_factory)
    d.add_domain("example.test")
    d.add_domain("second.test")
    res = d.cli("dkim", "generate", "nothosted.test", check=False)
    assert res.returncode == 1 and "not a hosted domain" in res.stderr
    res = d.cli("dkim", "generate", "example.test", "--selector", "bad_selector!", check=False)
    assert res.returncode == 1 and "selector" in res.stderr
    out = d.cli("dkim", "generate", "example.test").stdout
    assert re.search(r"^selector: postern\d{6}$", out, re.M), out
    assert "PRIVATE KEY" not in out
    res = d.cli("dkim", "generate", "example.test", check=False)
    assert res.returncode == 1 and "already has a DKIM key" in res.stderr
    assert d.cli("dkim", "list").stdout.startswith("example.test postern")
    shown = d.cli("dkim", "show", "example.test").stdout
    assert shown == out

    api = AdminApi(d)
    api.login()
    pem = (d.data_dir / "dkim" / "example.test").glob("*.pem").__next__().read_text()
    api.secret(pem.strip().splitlines()[1])  # any line of the private key must never come back
    keys = api.get("/dkim/keys")
    assert [k["domain"] for k in keys] == ["example.test"]
    made = api.post("/dkim/keys", {"domain": "second.test", "selector": "s2"})
    assert made["record_name"] == "s2._domainkey.second.test" and made["bits"] == 2048
    assert made["record_value"].startswith("v=DKIM1; k=rsa; p=")
    assert "s2._domainkey.second.test" in d.cli("dkim", "show", "second.test").stdout
    status, _, err = api.raw("POST", "/api/v1/dkim/keys", {"domain": "nothosted.test"})
    assert status == 400 and err["field"] == "domain"
    status, _, err = api.raw("POST", "/api/v1/dkim/keys", {"domain": "second.test"})
    assert status == 409, err
    assert api.get("/dkim/keys/second.test")["selector"] == "s2"
    api.delete("/dkim/keys/second.test")
    status, _, _ = api.raw("GET", "/api/v1/dkim/keys/second.test")
    assert status == 404
    assert "second.test" not in d.cli("dkim", "list").stdout

"""Issue 11 / TLS-4, SMTP TLS reporting (RFC 8460) against real peers on loopback: Postern
delivers direct to the MX hosts the test's DNS server names, on one port: Postfix's
smtp-sink on 127.0.0.1 (no STARTTLS) for far.test, plain.test and reports.test, and a second
Postern on 127.0.0.2 (STARTTLS) for tls.test. far.test and tls.test publish _smtp._tls
records whose rua is reports@reports.test, a mailbox on the sink. The report sent on demand
is taken from the sink, its DKIM signature verified with python3-dkim, its gzip attachment
decompressed and validated against the RFC's JSON schema (tests/e2e/data), and its counts
compared with what was delivered."""
import datetime
import email
import email.policy
import gzip
import json
import re
from pathlib import Path

import jsonschema
import pytest

from admin_api import AdminApi, start_admin
from dkim_helpers import generate_key, signature_tags, txt_record, verify
from dns_server import DnsServer
from peers import SmtpSink, have_smtp_sink, outbound_daemon, send, wait_delivery

pytestmark = pytest.mark.skipif(not have_smtp_sink(), reason="smtp-sink (package postfix) is not installed")

SCHEMA = json.loads((Path(__file__).parent / "data" / "tlsrpt-report.schema.json").read_text())
RUA = "reports@reports.test"


def today():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")


@pytest.fixture
def sink():
    with SmtpSink() as s:
        yield s


@pytest.fixture
def tls_peer(daemon_factory, sink):
    """A second Postern hosting tls.test, answering with STARTTLS on 127.0.0.2 at the sink's
    port (the MX port both share)."""
    peer = daemon_factory(start=False)
    peer.add_domain("tls.test")
    peer.add_user("tina@tls.test", "tina-secret-1")
    peer.set(smtp__listen=f"127.0.0.1:{peer.ports['smtp']},127.0.0.2:{sink.port}", smtp__hostname="mx.tls.test")
    peer.start()
    return peer


def reporting_daemon(daemon_factory, sink, extra_records=(), **settings):
    d = outbound_daemon(daemon_factory, start=False, delivery__mode="direct", delivery__mx_port=sink.port, **settings)
    name, value = generate_key(d, "example.test", "rpt")
    dns = DnsServer([
        ("mx.far.test", "A", "127.0.0.1"), ("mx.tls.test", "A", "127.0.0.2"),
        ("far.test", "MX", 10, "mx.far.test"), ("plain.test", "MX", 10, "mx.far.test"),
        ("reports.test", "MX", 10, "mx.far.test"), ("tls.test", "MX", 10, "mx.tls.test"),
        ("_smtp._tls.far.test", "TXT", f"v=TLSRPTv1; rua=mailto:{RUA}"),
        ("_smtp._tls.tls.test", "TXT", f"v=TLSRPTv1;rua=mailto:{RUA}, https://reports.test/tlsrpt"),
        txt_record(name, value), *extra_records]).start()
    d.set(dns__nameservers=dns.nameserver)
    return d, dns


def deliver(d, rcpt, count):
    for _ in range(count):
        qid, _ = send(d, rcpt)
        wait_delivery(d, qid, rcpt, "sent")


def report_of(raw):
    """(message, report JSON, attachment file name) of one report message."""
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg.get_content_type() == "multipart/report" and msg.get_param("report-type") == "tlsrpt"
    parts = [p for p in msg.iter_parts() if p.get_content_type() == "application/tlsrpt+gzip"]
    assert len(parts) == 1, [p.get_content_type() for p in msg.iter_parts()]
    report = json.loads(gzip.decompress(parts[0].get_payload(decode=True)))
    return msg, report, parts[0].get_filename()


def test_report_on_demand_matches_deliveries_schema_and_signature(sink, tls_peer, daemon_factory):
    # Each message its own session (no connection kept for the next), so the counts below
    # are the messages sent: reports count sessions.
    d, dns = reporting_daemon(daemon_factory, sink, tlsrpt__enabled="true", tlsrpt__organization="Example Org",
                              delivery__connection_reuse_s="0")
    try:
        d = start_admin(lambda start, **kw: d)
        deliver(d, "carol@far.test", 2)
        deliver(d, "tina@tls.test", 3)
        deliver(d, "paul@plain.test", 1)
        received = tls_peer.wait_messages("tina@tls.test", 3)
        assert all(re.search(rb"with ESMTPS", m) for m in received), "tls.test's MX must be reached over TLS"

        api = AdminApi(d)
        api.login()
        status, _, err = api.raw("POST", "/api/v1/tlsrpt/send", {"date": "26/11/2026"})
        assert status == 400 and err["field"] == "date"
        results = {r["domain"]: r for r in api.post("/tlsrpt/send", {"date": today()})["results"]}
        assert set(results) == {"far.test", "tls.test", "plain.test"}, results
        assert results["plain.test"]["status"] == "no-record"
        assert results["far.test"]["status"] == "sent" and results["far.test"]["recipients"] == [RUA]
        assert results["tls.test"]["status"] == "sent"
        assert results["tls.test"]["skipped"] == ["https://reports.test/tlsrpt"], "https: rua are not POSTed"
        d.wait_log("delivery.log", r"TLS report for tls\.test \(\S+\): sent .* skipped=https://reports\.test/tlsrpt "
                                   r"\(https: reports are not supported\)")

        found = {}
        for domain in ("far.test", "tls.test"):
            raw = sink.wait_message_with(f"TLS-Report-Domain: {domain}")
            msg, report, filename = report_of(raw)
            jsonschema.validate(report, SCHEMA, format_checker=jsonschema.FormatChecker())
            assert msg["TLS-Report-Submitter"] == "example.test"
            assert msg["From"].addresses[0].addr_spec == "postmaster@example.test"
            rid = results[domain]["report_id"]
            assert msg["Subject"] == f"Report Domain: {domain} Submitter: example.test Report-ID: <{rid}>"
            assert re.fullmatch(rf"example\.test!{re.escape(domain)}!\d+!\d+\.json\.gz", filename), filename
            assert report["report-id"] == rid and report["organization-name"] == "Example Org"
            assert report["date-range"] == {"start-datetime": today() + "T00:00:00Z",
                                            "end-datetime": today() + "T23:59:59Z"}
            assert signature_tags(raw)["d"] == "example.test"
            assert verify(raw, dns.nameserver), "the report's DKIM signature does not verify"
            found[domain] = report

        far = found["far.test"]["policies"]
        assert len(far) == 1
        assert far[0]["policy"] == {"policy-type": "no-policy-found", "policy-domain": "far.test"}
        assert far[0]["summary"] == {"total-successful-session-count": 0, "total-failure-session-count": 2}
        assert far[0]["failure-details"] == [{"result-type": "starttls-not-supported", "receiving-mx-hostname": "mx.far.test",
                                              "receiving-ip": "127.0.0.1", "failed-session-count": 2}]
        tls = found["tls.test"]["policies"]
        assert len(tls) == 1
        assert tls[0]["summary"] == {"total-successful-session-count": 3, "total-failure-session-count": 0}
        assert "failure-details" not in tls[0]

        # The CLI sends again on demand; a day without deliveries has nothing to report.
        out = d.cli("tlsrpt", "send", "--date", today()).stdout
        assert re.search(rf"^far\.test sent report-id=\S+ queued-as=\S+ to={RUA}$", out, re.M), out
        assert d.cli("tlsrpt", "send", "--date", "2020-01-01").stdout == ""
        res = d.cli("tlsrpt", "send", "--date", "yesterday", check=False)
        assert res.returncode == 1 and "date" in res.stderr
    finally:
        dns.stop()


def test_daemon_sends_yesterdays_report_by_itself(sink, daemon_factory):
    """The daily run: outcomes counted yesterday are reported without being asked, once."""
    import sqlite3
    d, dns = reporting_daemon(daemon_factory, sink, tlsrpt__enabled="true")
    try:
        d.cli("tlsrpt", "send", "--date", "2020-01-01")  # creates DIR/tlsrpt.db with its tables
        yesterday = (datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=1)).strftime("%Y-%m-%d")
        with sqlite3.connect(d.data_dir / "tlsrpt.db") as db:
            db.execute("INSERT INTO outcomes VALUES (?, 'far.test', 'no-policy-found', '[]', 'mx.far.test',"
                       " 'starttls-not-supported', '', '127.0.0.1', '', 4)", (yesterday,))
        d.start()
        raw = sink.wait_message_with("TLS-Report-Domain: far.test")
        _, report, _ = report_of(raw)
        jsonschema.validate(report, SCHEMA, format_checker=jsonschema.FormatChecker())
        assert report["date-range"]["start-datetime"] == yesterday + "T00:00:00Z"
        assert report["policies"][0]["summary"] == {"total-successful-session-count": 0,
                                                    "total-failure-session-count": 4}
        assert verify(raw, dns.nameserver)
        # Already sent: the next daily run (at the restart) leaves it.
        d.stop()
        d.start()
        d.wait_log("delivery.log", r"TLS report for far\.test \(" + yesterday + r"\): already-sent")
        assert len(sink.messages_with("TLS-Report-Domain: far.test")) == 1
    finally:
        dns.stop()


def test_nothing_is_recorded_when_reporting_is_off(sink, daemon_factory):
    d, dns = reporting_daemon(daemon_factory, sink)  # tlsrpt.enabled is off by default
    try:
        d.start()
        deliver(d, "carol@far.test", 1)
        res = d.cli("tlsrpt", "send", "--date", today())
        assert res.stdout == "" and "0 domain(s)" in res.stderr
    finally:
        dns.stop()

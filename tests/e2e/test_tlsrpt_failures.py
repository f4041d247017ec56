"""Issue 11 / TLS-4: what TLS reports (RFC 8460) say about failures, against the MTA-STS test
world (sts_world.py: dnsmasq, an HTTPS policy server and test MX hosts on loopback, one test
CA Postern trusts through tls.ca_file), with tlsrpt.enabled on:

- §4.3.1: MX hosts of MTA-STS (enforce) domains present an expired certificate, one for
  another name, and a self-signed one; the report names certificate-expired,
  certificate-host-mismatch and certificate-not-trusted with one failed session per attempt.
- §4.3.2: policy hosts answer 404 and 500, serve an invalid policy, or present a certificate
  for another name; the report has an "sts" policy entry with sts-policy-fetch-error,
  sts-policy-invalid or sts-webpki-invalid (mail goes out without a policy meanwhile).
- §4.4: sessions are counted, not messages: a connection carrying several messages counts
  once, so the report's session count is the number of sessions the MX saw.

Every domain publishes _smtp._tls with rua=mailto:reports@reports.test, whose MX is a test
MX; reports are sent on demand (POST /api/v1/tlsrpt/send, as an admin would) and read from
what that MX received."""
import datetime
import email
import email.policy
import gzip
import json
from pathlib import Path

import jsonschema
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from admin_api import AdminApi, start_admin
from dkim_helpers import generate_key
from peers import send, wait_delivery
from sts_world import World, policy_text

SCHEMA = json.loads((Path(__file__).parent / "data" / "tlsrpt-report.schema.json").read_text())
RUA = "reports@reports.test"


def today():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d")


def make_cert(directory, name, ca=None, not_before_days=-1, not_after_days=2):
    """A server certificate for NAME, issued by the test CA (ca: peers.TestCA) or
    self-signed (ca=None), valid between now+not_before_days and now+not_after_days.
    Returns (cert file, key file)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    if ca is None:
        issuer, signer = subject, key
    else:
        ca_cert = x509.load_pem_x509_certificate(Path(ca.cert).read_bytes())
        issuer = ca_cert.subject
        signer = serialization.load_pem_private_key(Path(ca.key).read_bytes(), password=None)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + datetime.timedelta(days=not_before_days))
            .not_valid_after(now + datetime.timedelta(days=not_after_days))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .sign(signer, hashes.SHA256()))
    stem = Path(directory) / name.replace(".", "_")
    stem.parent.mkdir(parents=True, exist_ok=True)
    cert_file, key_file = stem.with_suffix(".crt"), stem.with_suffix(".key")
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


@pytest.fixture
def world(tmp_path, daemon_factory):
    w = World(tmp_path, daemon_factory)
    w.mx("mx.reports.test", "127.0.0.61", tls="good")
    w.domain("reports.test", ["mx.reports.test"], txt=None)
    yield w
    w.close()


def start_reporting(world, domains, **settings):
    """Postern in the world with TLS reports on, each of DOMAINS publishing a rua; returns
    (daemon, logged-in admin API)."""
    for domain in domains:
        world.records.append(("_smtp._tls." + domain, "TXT", f"v=TLSRPTv1; rua=mailto:{RUA}"))
    d = world.start(start=False, tlsrpt__enabled="true", **settings)
    generate_key(d, "example.test", "rpt")  # reports are DKIM-signed, or not sent at all
    d = start_admin(lambda start, **kw: d)
    api = AdminApi(d)
    api.login()
    return d, api


def reports(world, api, domains):
    """{domain: report JSON} of the reports sent on demand for today, as reports.test's MX
    received them."""
    results = {r["domain"]: r for r in api.post("/tlsrpt/send", {"date": today()})["results"]}
    out = {}
    for domain in domains:
        assert results[domain]["status"] == "sent", results[domain]
        got = world.mxs["mx.reports.test"].wait_marker(f"TLS-Report-Domain: {domain}")
        msg = email.message_from_bytes(got["data"], policy=email.policy.default)
        [part] = [p for p in msg.iter_parts() if p.get_content_type() == "application/tlsrpt+gzip"]
        report = json.loads(gzip.decompress(part.get_payload(decode=True)))
        jsonschema.validate(report, SCHEMA, format_checker=jsonschema.FormatChecker())
        out[domain] = report
    return out


def sts_entry(report):
    [entry] = [p for p in report["policies"] if p["policy"]["policy-type"] == "sts"]
    return entry


def test_certificate_failures_are_reported_by_kind(world, tmp_path):
    certs = tmp_path / "certs"
    world.mx("mx.expired.test", "127.0.0.62", tls=make_cert(certs, "mx.expired.test", world.ca, -10, -1))
    world.mx("mx.other.test", "127.0.0.63", tls="wrong")  # a certificate for wrong.test
    world.mx("mx.selfsigned.test", "127.0.0.64", tls=make_cert(certs, "mx.selfsigned.test"))
    cases = {"expired.test": ("mx.expired.test", "127.0.0.62", "certificate-expired", 2),
             "other.test": ("mx.other.test", "127.0.0.63", "certificate-host-mismatch", 1),
             "selfsigned.test": ("mx.selfsigned.test", "127.0.0.64", "certificate-not-trusted", 1)}
    for domain, (mx, _, _, _) in cases.items():
        world.domain(domain, [mx], policy=policy_text("enforce", mx))
    d, api = start_reporting(world, cases)

    for domain, (mx, _, _, count) in cases.items():
        for _ in range(count):
            qid, _ = send(d, f"carol@{domain}")
            line = wait_delivery(d, qid, f"carol@{domain}", "deferred")
            assert "did not verify" in line, line
        assert world.mxs[mx].transactions == [], "enforce mode sends nothing over an unverified session"

    found = reports(world, api, cases)
    for domain, (mx, ip, result_type, count) in cases.items():
        entry = sts_entry(found[domain])
        assert entry["policy"]["policy-string"][:2] == ["version: STSv1", "mode: enforce"], entry
        assert entry["summary"] == {"total-successful-session-count": 0, "total-failure-session-count": count}
        [detail] = entry["failure-details"]
        assert detail["result-type"] == result_type, (domain, detail)
        assert detail["failed-session-count"] == count
        assert detail["receiving-mx-hostname"] == mx and detail["receiving-ip"] == ip
        assert "did not verify" in detail["failure-reason-code"], detail


def test_policy_failures_are_reported_without_a_session(world):
    world.mx("mx.plain.test", "127.0.0.65", tls="good")
    cases = {"missing.test": "sts-policy-fetch-error", "broken.test": "sts-policy-fetch-error",
             "invalid.test": "sts-policy-invalid", "webpki.test": "sts-webpki-invalid"}
    world.domain("missing.test", ["mx.plain.test"], policy="not here\n", status=404)
    world.domain("broken.test", ["mx.plain.test"], policy="oops\n", status=500)
    world.domain("invalid.test", ["mx.plain.test"], policy="version: STSv1\nmode: sometimes\nmax_age: 60\n")
    world.domain("webpki.test", ["mx.plain.test"], policy=policy_text("enforce", "mx.plain.test"), policy_cert=False)
    d, api = start_reporting(world, cases)

    for domain in cases:
        for _ in range(2 if domain == "missing.test" else 1):
            qid, _ = send(d, f"carol@{domain}")
            wait_delivery(d, qid, f"carol@{domain}", "sent")  # without a policy, as RFC 8461 §5 says
    assert world.policy.fetched("mta-sts.webpki.test") == [], "no request goes to a host that fails WebPKI"

    found = reports(world, api, cases)
    for domain, result_type in cases.items():
        count = 2 if domain == "missing.test" else 1
        entry = sts_entry(found[domain])
        assert entry["policy"] == {"policy-type": "sts", "policy-domain": domain}, entry
        assert entry["summary"] == {"total-successful-session-count": 0, "total-failure-session-count": count}
        [detail] = entry["failure-details"]
        assert detail["result-type"] == result_type and detail["failed-session-count"] == count, (domain, detail)
        assert "receiving-mx-hostname" not in detail, "a policy failure involves no MX"
        # The sessions themselves went out under no policy, over TLS.
        [plain] = [p for p in found[domain]["policies"] if p["policy"]["policy-type"] == "no-policy-found"]
        assert plain["summary"]["total-failure-session-count"] == 0


def test_sessions_are_counted_not_messages(world):
    """Several messages over one reused connection are one session (RFC 8460 §4.4)."""
    world.mx("mx.busy.test", "127.0.0.66", tls="good")
    world.domain("busy.test", ["mx.busy.test"], txt=None)
    d, api = start_reporting(world, ["busy.test"], delivery__per_destination_concurrency="1")
    sent = [send(d, f"user{i}@busy.test") for i in range(6)]
    for i, (qid, _) in enumerate(sent):
        wait_delivery(d, qid, f"user{i}@busy.test", "sent")
    mx = world.mxs["mx.busy.test"]
    assert len(mx.transactions) == 6 and all(t["tls"] for t in mx.transactions)
    [entry] = reports(world, api, ["busy.test"])["busy.test"]["policies"]
    assert entry["summary"] == {"total-successful-session-count": mx.sessions, "total-failure-session-count": 0}

"""STARTTLS on smtp and submission, implicit TLS on submissions, the generated certificate,
protocol versions, and the STARTTLS plaintext-injection defence (CVE-2011-0411 style)."""
import socket
import ssl
import warnings

import pytest

from conftest import OUTSIDE_IP, tls_context


def _own_cert_der(d):
    pem = (d.data_dir / "tls" / "cert.pem").read_text()
    return ssl.PEM_cert_to_DER_cert(pem)


@pytest.mark.parametrize("service", ["smtp", "submission"])
def test_starttls_upgrade(mailserver, service):
    d = mailserver(fresh_tls=True)
    with d.raw(service, source=OUTSIDE_IP) as c:
        before = c.ehlo()
        assert "STARTTLS" in before
        code, text = c.cmd("STARTTLS")
        assert code == 220 and "2.0.0" in text, text
        tls = c.starttls()
        assert tls.version() in ("TLSv1.2", "TLSv1.3")
        assert tls.getpeercert(binary_form=True) == _own_cert_der(d)
        after = c.ehlo()
        assert after[0].startswith("mail.example.test")
        assert "STARTTLS" not in after
        assert "AUTH PLAIN LOGIN" in after
        # a second STARTTLS is refused inside TLS
        code, text = c.cmd("STARTTLS")
        assert code == 503, text
        # and mail still flows over the encrypted channel
        assert c.cmd("QUIT")[0] == 221


def test_starttls_forgets_earlier_ehlo(mailserver):
    d = mailserver()
    with d.raw("smtp", source=OUTSIDE_IP) as c:
        c.ehlo()
        assert c.cmd("STARTTLS")[0] == 220
        c.starttls()
        code, text = c.cmd("MAIL FROM:<x@elsewhere.test>")
        assert (code, text[4:9]) == (503, "5.5.1"), text


def test_mail_over_starttls_received_header_records_tls(mailserver):
    d = mailserver()
    with d.smtp("smtp", source=OUTSIDE_IP) as c:
        c.ehlo("client.test")
        c.starttls(context=tls_context())
        c.ehlo("client.test")
        assert not c.has_extn("starttls")
        c.sendmail("x@elsewhere.test", ["alice@example.test"], b"Subject: tls\r\n\r\nsecret\r\n")
    [stored] = d.wait_messages("alice@example.test", 1)
    assert b"with ESMTPS" in stored
    assert b"(using TLSv1." in stored


def test_implicit_tls_on_submissions(mailserver):
    d = mailserver(fresh_tls=True)
    with d.raw_tls("submissions", source=OUTSIDE_IP) as c:
        assert c.sock.version() in ("TLSv1.2", "TLSv1.3")
        assert c.sock.getpeercert(binary_form=True) == _own_cert_der(d)
        ext = c.ehlo()
        assert "STARTTLS" not in ext
        assert "AUTH PLAIN LOGIN" in ext
        code, _ = c.cmd("STARTTLS")
        assert code == 503


def test_certificate_generated_in_data_dir(mailserver):
    d = mailserver(fresh_tls=True, start=False)
    cert = d.data_dir / "tls" / "cert.pem"
    key = d.data_dir / "tls" / "key.pem"
    assert not cert.exists()
    d.start()
    with d.raw_tls("submissions") as c:
        assert c.sock.getpeercert(binary_form=True) == _own_cert_der(d)
    assert cert.read_text().startswith("-----BEGIN CERTIFICATE-----")
    assert key.exists()
    assert key.stat().st_mode & 0o077 == 0, oct(key.stat().st_mode)
    # the certificate names the configured host
    import subprocess
    out = subprocess.run(["openssl", "x509", "-in", str(cert), "-noout", "-subject", "-ext", "subjectAltName"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "mail.example.test" in out.stdout


def _handshake_with_max(d, version):
    ctx = tls_context()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = version
        ctx.maximum_version = version
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with socket.create_connection(("127.0.0.1", d.ports["submissions"]), timeout=10) as s:
        with ctx.wrap_socket(s) as t:
            return t.version()


def test_tls_below_1_2_refused_by_default(mailserver):
    d = mailserver()
    with pytest.raises(ssl.SSLError):
        _handshake_with_max(d, ssl.TLSVersion.TLSv1_1)
    assert _handshake_with_max(d, ssl.TLSVersion.TLSv1_2) == "TLSv1.2"
    # Control: the client can speak TLS 1.1 at all, so the refusal above came from the server
    # (the one way to allow it: old LAN devices on submission, and 127.0.0.1 made the LAN).
    d.set_live(tls__legacy_lan_submission="true", network__lan="127.0.0.1/32")
    try:
        got = _handshake_with_max(d, ssl.TLSVersion.TLSv1_1)
    except ssl.SSLError as e:
        pytest.skip(f"this client's OpenSSL cannot do TLS 1.1 ({e}); refusal above is not conclusive")
    assert got == "TLSv1.1"


def test_tls_min_version_1_3(mailserver):
    d = mailserver(tls__min_version="1.3")
    with pytest.raises(ssl.SSLError):
        _handshake_with_max(d, ssl.TLSVersion.TLSv1_2)
    assert _handshake_with_max(d, ssl.TLSVersion.TLSv1_3) == "TLSv1.3"


@pytest.mark.parametrize("service", ["smtp", "submission"])
def test_starttls_plaintext_injection_discarded(mailserver, service):
    d = mailserver()
    with d.raw(service, source=OUTSIDE_IP) as c:
        c.ehlo()
        c.send(b"STARTTLS\r\nNOOP\r\n")  # one packet: NOOP is plaintext injected before the handshake
        code, text = c.reply()
        assert code == 220, text
        c.starttls()
        code, text = c.cmd("EHLO client.test")
        # If the injected NOOP had been executed, its "250 2.0.0 Ok" would arrive first.
        assert code == 250 and text.startswith("250-mail.example.test"), text
        assert "2.0.0 Ok" not in text
        code, text = c.cmd("NOOP")
        assert (code, text) == (250, "250 2.0.0 Ok")


def test_starttls_injection_of_mail_transaction_discarded(mailserver):
    """A man in the middle appends a whole transaction after STARTTLS: nothing is delivered."""
    d = mailserver()
    with d.raw("smtp", source=OUTSIDE_IP) as c:
        c.ehlo()
        c.send(b"STARTTLS\r\nEHLO evil\r\nMAIL FROM:<evil@elsewhere.test>\r\nRCPT TO:<bob@example.test>\r\n"
               b"DATA\r\nSubject: injected\r\n\r\nx\r\n.\r\n")
        assert c.reply()[0] == 220
        c.starttls()
        c.ehlo()
        # state was reset: RCPT without MAIL must be a sequence error
        code, text = c.cmd("RCPT TO:<bob@example.test>")
        assert code == 503, text
        assert c.cmd("QUIT")[0] == 221
    assert d.messages("bob@example.test") == []
    assert d.queue_list() == []


def test_starttls_with_argument_refused(mailserver):
    d = mailserver()
    with d.raw("smtp", source=OUTSIDE_IP) as c:
        c.ehlo()
        code, text = c.cmd("STARTTLS now")
        assert code == 501, text
        assert c.cmd("NOOP")[0] == 250

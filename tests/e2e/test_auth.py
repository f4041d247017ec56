"""SMTP AUTH PLAIN / LOGIN: success, failure, TLS requirement, LAN plaintext option,
malformed input, and what the auth log records (never the password)."""
import smtplib

import pytest

from conftest import LAN_IP, OUTSIDE_IP, b64, plain_token, tls_context


def _tls_session(d, service="submission", source=OUTSIDE_IP):
    c = d.raw(service, source=source)
    c.ehlo()
    assert c.cmd("STARTTLS")[0] == 220
    c.starttls()
    c.ehlo()
    return c


@pytest.mark.parametrize("service", ["submission", "submissions", "smtp"])
def test_auth_plain_good(mailserver, service):
    d = mailserver()
    c = d.raw_tls(service, source=OUTSIDE_IP) if service == "submissions" else _tls_session(d, service)
    with c:
        assert "AUTH PLAIN LOGIN" in c.ehlo()
        code, text = c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))
        assert (code, text[4:9]) == (235, "2.7.0"), text
        # AUTH is no longer offered, and a second AUTH is refused
        assert not any(line.startswith("AUTH") for line in c.ehlo())
        assert c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))[0] == 503
    d.wait_log("smtp.log", r"authenticated user=alice@example.test mechanism=PLAIN")


def test_auth_plain_with_separate_response_line(mailserver):
    d = mailserver()
    with _tls_session(d) as c:
        code, _ = c.cmd("AUTH PLAIN")
        assert code == 334
        code, text = c.cmd(plain_token("bob@example.test", "bob-secret-22"))
        assert (code, text[4:9]) == (235, "2.7.0"), text


def test_auth_login_good(mailserver):
    d = mailserver()
    with _tls_session(d) as c:
        code, text = c.cmd("AUTH LOGIN")
        assert code == 334 and b64("Username:") in text
        code, text = c.cmd(b64("alice@example.test"))
        assert code == 334 and b64("Password:") in text
        code, text = c.cmd(b64("alice-secret-1"))
        assert (code, text[4:9]) == (235, "2.7.0"), text


def test_auth_login_with_initial_response(mailserver):
    d = mailserver()
    with _tls_session(d) as c:
        code, text = c.cmd("AUTH LOGIN " + b64("alice@example.test"))
        assert code == 334 and b64("Password:") in text
        assert c.cmd(b64("alice-secret-1"))[0] == 235


def test_auth_case_insensitive_login_name(mailserver):
    d = mailserver()
    with _tls_session(d) as c:
        code, text = c.cmd("AUTH PLAIN " + plain_token("Alice@Example.TEST", "alice-secret-1"))
        assert code == 235, text


def test_smtplib_login_over_submissions(mailserver):
    d = mailserver()
    with d.smtp("submissions") as c:
        c.ehlo("client.test")
        assert c.login("alice@example.test", "alice-secret-1")[0] == 235
        with pytest.raises(smtplib.SMTPAuthenticationError):
            with d.smtp("submissions") as c2:
                c2.ehlo("client.test")
                c2.login("alice@example.test", "wrong-password")


@pytest.mark.parametrize("user,password", [("alice@example.test", "wrong-password-9"),
                                           ("nosuch@example.test", "whatever-123"),
                                           ("alice@example.test", "bob-secret-22")])
def test_auth_plain_bad_credentials(mailserver, user, password):
    d = mailserver()
    with _tls_session(d) as c:
        code, text = c.cmd("AUTH PLAIN " + plain_token(user, password))
        assert (code, text[4:9]) == (535, "5.7.8"), text
        # still not authenticated: submission needs auth
        code, text = c.cmd("MAIL FROM:<alice@example.test>")
        assert (code, text[4:9]) == (530, "5.7.0"), text


def test_auth_login_bad_password(mailserver):
    d = mailserver()
    with _tls_session(d) as c:
        assert c.cmd("AUTH LOGIN")[0] == 334
        assert c.cmd(b64("bob@example.test"))[0] == 334
        code, text = c.cmd(b64("not-bobs-password"))
        assert (code, text[4:9]) == (535, "5.7.8"), text


def test_failed_auth_logged_with_ip_and_login_never_password(mailserver):
    d = mailserver()
    secret = "Tr0ub4dor-guess-PLAIN"
    secret2 = "Tr0ub4dor-guess-LOGIN"
    with _tls_session(d) as c:
        assert c.cmd("AUTH PLAIN " + plain_token("alice@example.test", secret))[0] == 535
        assert c.cmd("AUTH LOGIN")[0] == 334
        assert c.cmd(b64("mallory@example.test"))[0] == 334
        assert c.cmd(b64(secret2))[0] == 535
        # a successful login must not leak its password either
        assert c.cmd("AUTH PLAIN " + plain_token("bob@example.test", "bob-secret-22"))[0] == 235
    log = d.wait_log("auth.log", r"mallory@example.test").string
    lines = [line for line in log.splitlines() if "auth-failure" in line]
    assert any("ip=127.0.0.3" in line and "login=alice@example.test" in line for line in lines), log
    assert any("ip=127.0.0.3" in line and "login=mallory@example.test" in line for line in lines), log
    everything = "".join(p.read_text(errors="replace") for p in (d.data_dir / "log").iterdir()) + d.output()
    for pw in (secret, secret2, "bob-secret-22", b64(secret2), plain_token("alice@example.test", secret)):
        assert pw not in everything


def test_failed_auth_with_foreign_authzid_is_logged(mailserver):
    """AUTH PLAIN with an authorization identity other than the login is a failed attempt
    (someone trying to act as another user) and belongs in the auth log like any other."""
    d = mailserver()
    with _tls_session(d) as c:
        code, text = c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1", authzid="bob@example.test"))
        assert (code, text[4:9]) == (535, "5.7.8"), text
    d.wait_log("auth.log", r"auth-failure .*ip=127\.0\.0\.3.*login=alice@example.test", timeout=5)


@pytest.mark.parametrize("service", ["smtp", "submission"])
def test_auth_not_offered_before_tls(mailserver, service):
    d = mailserver()
    for src in (OUTSIDE_IP, LAN_IP):
        with d.raw(service, source=src) as c:
            ext = c.ehlo()
            assert "STARTTLS" in ext
            assert not any(line.startswith("AUTH") for line in ext), ext
            code, text = c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))
            assert (code, text[4:10]) == (538, "5.7.11"), text
            code, text = c.cmd("AUTH LOGIN")
            assert code == 538, text


def test_auth_plaintext_lan_offers_auth_to_lan_only(mailserver):
    d = mailserver(smtp__auth_plaintext_lan="true")
    with d.raw("submission", source=LAN_IP) as c:
        assert "AUTH PLAIN LOGIN" in c.ehlo()
        code, text = c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))
        assert code == 235, text
        assert c.cmd("MAIL FROM:<alice@example.test>")[0] == 250
    with d.raw("submission", source=OUTSIDE_IP) as c:
        assert not any(line.startswith("AUTH") for line in c.ehlo())
        code, text = c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))
        assert code == 538, text


@pytest.mark.parametrize("token", ["not*base64!", "abc", "YWxpY2U=",  # no NULs inside
                                   b64("\0alice@example.test"), b64("\0\0pw"), "="])
def test_auth_plain_bad_base64_or_shape(mailserver, token):
    d = mailserver()
    with _tls_session(d) as c:
        code, text = c.cmd("AUTH PLAIN " + token)
        assert code == 501, text
        # the session survives and a good AUTH works afterwards
        assert c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))[0] == 235


def test_auth_login_bad_base64(mailserver):
    d = mailserver()
    with _tls_session(d) as c:
        assert c.cmd("AUTH LOGIN")[0] == 334
        code, text = c.cmd("%%%")
        assert code == 501, text
        assert c.cmd("AUTH LOGIN")[0] == 334
        assert c.cmd(b64("alice@example.test"))[0] == 334
        code, text = c.cmd("!!!!")
        assert code == 501, text


def test_auth_cancel_and_unknown_mechanism(mailserver):
    d = mailserver()
    with _tls_session(d) as c:
        assert c.cmd("AUTH PLAIN")[0] == 334
        assert c.cmd("*")[0] == 501
        code, text = c.cmd("AUTH CRAM-MD5")
        assert (code, text[4:9]) == (504, "5.5.4"), text


def test_auth_during_transaction_refused(mailserver):
    d = mailserver()
    with d.raw_tls("submissions") as c:
        c.ehlo()
        assert c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))[0] == 235
        assert c.cmd("MAIL FROM:<alice@example.test>")[0] == 250
    # a fresh unauthenticated LAN client starting a transaction on the smtp port
    with _tls_session(d, "smtp", source=LAN_IP) as c:
        assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
        code, text = c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))
        assert code == 503, text


def test_swaks_auth_submission(mailserver):
    import subprocess
    d = mailserver()
    res = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(d.ports["submission"]),
                          "--local-interface", OUTSIDE_IP, "--tls", "--auth", "LOGIN",
                          "--auth-user", "alice@example.test", "--auth-password", "alice-secret-1",
                          "--from", "alice@example.test", "--to", "bob@example.test",
                          "--header", "Subject: swaks auth"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stdout + res.stderr
    assert "235 2.7.0" in res.stdout
    [stored] = d.wait_messages("bob@example.test", 1)
    assert b"Subject: swaks auth" in stored
    assert b"with ESMTPSA" in stored


def test_auth_log_cannot_be_forged_by_login_name(mailserver):
    """A login name with a line break must not add a line of its own to auth.log."""
    d = mailserver()
    forged = "x@example.test\n2026-01-01T00:00:00.000Z S1 authenticated user=admin"
    with _tls_session(d) as c:
        assert c.cmd("AUTH PLAIN " + b64(f"\0{forged}\0some-password-1"))[0] == 535
    log = d.wait_log("auth.log", r"auth-failure").string
    assert len([l for l in log.splitlines() if l.strip()]) == 1, log
    assert not any(l.startswith("2026-01-01") for l in log.splitlines())

"""IMAP connection-level behaviour: greeting and capabilities, LOGINDISABLED before TLS,
STARTTLS, implicit TLS, LOGIN / AUTHENTICATE PLAIN (SASL-IR) / LOGIN, the auth failure log,
bad syntax, commands in the wrong state, ID, NAMESPACE, ENABLE, LOGOUT, login timeout."""
import base64
import imaplib
import time

import pytest

from conftest import LAN_IP, OUTSIDE_IP, tls_context
from imap_helpers import ALICE, RawImap, connect, connect_tls, imap_daemon


def test_capabilities_and_login_from_lan(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d, login=False)
    caps = set(m.capabilities)
    for c in ["IMAP4REV1", "IDLE", "UIDPLUS", "MOVE", "SPECIAL-USE", "NAMESPACE", "ID", "ENABLE", "LITERAL+",
              "UNSELECT", "CHILDREN", "SASL-IR", "STARTTLS", "AUTH=PLAIN", "AUTH=LOGIN"]:
        assert c in caps, c
    assert "LOGINDISABLED" not in caps
    assert m.login(*ALICE)[0] == "OK"
    typ, data = m.capability()
    assert b"STARTTLS" not in data[0] and b"AUTH=" not in data[0]
    assert m.logout()[0] == "BYE"


def test_login_disabled_before_tls_for_outside_clients(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d, source=OUTSIDE_IP, login=False)
    assert "LOGINDISABLED" in m.capabilities and "AUTH=PLAIN" not in m.capabilities
    with pytest.raises(imaplib.IMAP4.error, match="PRIVACYREQUIRED"):
        m.login(*ALICE)
    m.starttls(ssl_context=tls_context())
    assert "LOGINDISABLED" not in m.capabilities and "STARTTLS" not in m.capabilities
    assert m.login(*ALICE)[0] == "OK"
    m.logout()


def test_lan_plaintext_login_is_off_by_default(mailserver):
    d = mailserver()
    m = connect(d, source=LAN_IP, login=False)
    assert "LOGINDISABLED" in m.capabilities


def test_implicit_tls(mailserver):
    d = imap_daemon(mailserver)
    m = connect_tls(d)
    assert m.select("INBOX")[0] == "OK"
    m.logout()


def test_starttls_drops_pipelined_plaintext(mailserver):
    d = imap_daemon(mailserver)
    with RawImap(d, source=OUTSIDE_IP) as c:
        # A command injected after STARTTLS in the same packet must not run under TLS.
        c.send("s1 STARTTLS\r\ns2 CAPABILITY\r\n")
        assert c.line().startswith(b"s1 OK")
        tls = tls_context().wrap_socket(c.sock)
        f = tls.makefile("rb")
        tls.sendall(b"s3 NOOP\r\n")
        assert f.readline().startswith(b"s3 OK")


def test_authenticate_plain_and_login(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d, login=False)
    token = "\0alice@example.test\0alice-secret-1"
    assert m.authenticate("PLAIN", lambda _: token.encode())[0] == "OK"
    m.logout()

    with RawImap(d) as c:
        # SASL-IR: the response on the command line
        ir = base64.b64encode(token.encode()).decode()
        assert c.cmd("a1", f"AUTHENTICATE PLAIN {ir}")[-1].startswith(b"a1 OK")
    with RawImap(d) as c:
        c.send("a2 AUTHENTICATE LOGIN\r\n")
        assert base64.b64decode(c.line()[2:]) == b"Username:"
        c.send(base64.b64encode(b"alice@example.test") + b"\r\n")
        assert base64.b64decode(c.line()[2:]) == b"Password:"
        c.send(base64.b64encode(b"alice-secret-1") + b"\r\n")
        assert c.until_tagged("a2")[-1].startswith(b"a2 OK")
    with RawImap(d) as c:
        c.send("a3 AUTHENTICATE PLAIN\r\n")
        assert c.line().startswith(b"+")
        c.send("*\r\n")
        assert c.until_tagged("a3")[-1].startswith(b"a3 BAD")
        assert c.cmd("a4", "AUTHENTICATE CRAM-MD5")[-1].startswith(b"a4 NO")


def test_failed_logins_are_logged_without_password(mailserver):
    d = imap_daemon(mailserver)
    m = connect(d, login=False)
    with pytest.raises(imaplib.IMAP4.error, match="AUTHENTICATIONFAILED"):
        m.login("alice@example.test", "wrong-password-9")
    with pytest.raises(imaplib.IMAP4.error):
        m.login("nobody@example.test", "whatever-pass-1")
    assert m.login(*ALICE)[0] == "OK"
    d.wait_log("auth.log", r"auth-failure protocol=imap session=\S+ ip=127\.0\.0\.2 login=alice@example\.test "
                           r"account=alice@example\.test mechanism=LOGIN")
    d.wait_log("auth.log", r"auth-failure protocol=imap .*ip=127\.0\.0\.2 login=nobody@example\.test account=none")
    assert "nobody@example.test" in d.cli("authlog").stdout
    assert "wrong-password-9" not in d.log("auth.log")


def test_bad_syntax_and_wrong_state(mailserver):
    d = imap_daemon(mailserver)
    with RawImap(d) as c:
        assert c.cmd("b1", "SELECT INBOX")[-1].startswith(b"b1 BAD")  # not logged in
        assert c.cmd("b2", "FROBNICATE")[-1].startswith(b"b2 BAD")
        c.send("\r\n")
        assert c.line().startswith(b"* BAD")
        c.login()
        for tag, text in [("b3", 'LOGIN "a" "b"'), ("b4", "FETCH 1 FLAGS"), ("b5", 'LIST "" "unterminated'),
                          ("b6", "SELECT"), ("b7", "STATUS INBOX (BOGUS)"), ("b8", "UID")]:
            assert c.cmd(tag, text)[-1].startswith(tag.encode() + b" BAD"), text
        c.cmd("b9", "SELECT INBOX")
        for tag, text in [("c1", "FETCH 1:x FLAGS"), ("c2", "FETCH 1 (FLAGS"), ("c3", "FETCH 1 BOGUS"),
                          ("c4", "STORE 1 FLAGS.BOGUS (\\Seen)"), ("c5", "SEARCH BOGUS"), ("c6", "FETCH 5 FLAGS"),
                          ("c7", "FETCH 1 BODY[1.]"), ("c8", "SEARCH CHARSET")]:
            assert c.cmd(tag, text)[-1].startswith(tag.encode() + b" BAD"), text
        assert c.cmd("c9", "SEARCH CHARSET KOI8-R ALL")[-1].startswith(b"c9 NO [BADCHARSET")
        assert c.cmd("d1", "NOOP")[-1].startswith(b"d1 OK")  # the session survived


def test_id_namespace_enable_logout(mailserver):
    d = imap_daemon(mailserver)
    with RawImap(d) as c:
        lines = c.cmd("i1", 'ID ("name" "pytest")')
        assert lines[0].startswith(b'* ID ("name" "Postern"')
        c.login()
        assert c.cmd("i2", "NAMESPACE")[0] == b'* NAMESPACE (("" ".")) NIL NIL\r\n'
        lines = c.cmd("i3", "ENABLE CONDSTORE")
        assert lines[0] == b"* ENABLED\r\n" and lines[-1].startswith(b"i3 OK")
        lines = c.cmd("i4", "LOGOUT")
        assert lines[0].startswith(b"* BYE") and lines[-1].startswith(b"i4 OK")
        assert c.line() == b""


def test_login_timeout(mailserver):
    d = imap_daemon(mailserver, imap__login_timeout_s=5)
    with RawImap(d) as c:
        assert c.line().startswith(b"* BYE")
        assert c.line() == b""


def test_connection_limit(mailserver):
    d = imap_daemon(mailserver, imap__max_connections=2)
    a, b = RawImap(d), RawImap(d)
    with a, b:
        c = RawImap(d)
        assert c.greeting.startswith(b"* BYE")
        c.close()
    d.wait_log("postern.log", "connection limit reached")

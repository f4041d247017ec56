"""Admin API security against the real daemon: login and its cookie, CSRF, the OpenAPI walk
(401 without a session, 403 without the CSRF token on every state-changing route), login
throttling into the auth log, HTTPS with the generated certificate, body size limit."""
import re
import socket
import ssl

from admin_api import ADMIN_PASSWORD, AdminApi, openapi, start_admin


def fill(path):
    return re.sub(r"\{[^}]+\}", "x", path)


def test_every_documented_route_needs_a_session_and_csrf(mailserver):
    d = start_admin(mailserver)
    api = AdminApi(d)
    doc = openapi()
    operations = [(m.upper(), "/api/v1" + fill(p)) for p, ops in doc["paths"].items() for m in ops]
    assert len(operations) >= 40
    for method, path in operations:
        status, _, data = api.raw(method, path, {})
        if path == "/api/v1/login":
            assert status == 400 and data["field"] == "password"
        else:
            assert status == 401, (method, path, status, data)
            assert "error" in data
    api.login()
    for method, path in operations:
        if method == "GET" or path == "/api/v1/login":
            continue
        status, _, data = api.raw(method, path, {}, csrf=False)
        assert status == 403, (method, path, status, data)
        status, _, _ = api.raw(method, path, {}, headers={"X-CSRF-Token": "0" * 64}, csrf=False)
        assert status == 403, (method, path)
    # Nothing was changed by the refused calls: the admin can still log in with the same password.
    AdminApi(d).login()


def test_documented_get_routes_answer_with_a_session(mailserver):
    d = start_admin(mailserver)
    api = AdminApi(d)
    api.login()
    for path, ops in openapi()["paths"].items():
        if "get" in ops and "{" not in path:
            status, _, data = api.raw("GET", "/api/v1" + path)
            assert status == 200, (path, status, data)


def test_login_cookie_logout_and_wrong_password(mailserver):
    d = start_admin(mailserver)
    api = AdminApi(d)
    status, _, data = api.raw("POST", "/api/v1/login", {"password": "wrong-password"})
    assert status == 401 and "error" in data
    assert "auth-failure protocol=admin session=- ip=127.0.0.1 login=admin" in d.wait_log("auth.log", r"protocol=admin").string
    assert "127.0.0.1" in d.cli("authlog").stdout
    cookie, data = api.login()
    assert re.match(r"postern_session=[0-9a-f]{64};", cookie)
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Secure" not in cookie  # plain HTTP on loopback: a Secure cookie would never come back
    assert len(data["csrf_token"]) == 64 and data["idle_timeout_s"] == 1800
    assert api.get("/session")["user"] == "admin"
    api.post("/logout")
    status, _, _ = api.raw("GET", "/api/v1/session")
    assert status == 401
    # Unknown body fields are refused, not ignored.
    status, _, data = AdminApi(d).raw("POST", "/api/v1/login", {"password": ADMIN_PASSWORD, "remember": True})
    assert status == 400 and data["field"] == "remember"


def test_login_throttled_per_address_and_logged(mailserver):
    d = start_admin(mailserver, admin__login_max_failures=3, admin__login_lockout="10m")
    api = AdminApi(d, source="127.0.0.4")
    for _ in range(3):
        status, _, _ = api.raw("POST", "/api/v1/login", {"password": "not-it-at-all"})
        assert status == 401
    status, headers, data = api.raw("POST", "/api/v1/login", {"password": ADMIN_PASSWORD})
    assert status == 429, data
    assert 0 < int(headers["retry-after"]) <= 600
    log = d.log("auth.log")
    assert len(re.findall(r"auth-failure protocol=admin .*ip=127\.0\.0\.4 login=admin .*reason=bad-password", log)) == 3
    assert re.search(r"ip=127\.0\.0\.4 login=admin .*reason=locked-out", log)
    # Another address is not locked out.
    AdminApi(d, source="127.0.0.5").login()


def test_https_with_the_generated_certificate(mailserver):
    d = start_admin(mailserver, fresh_tls=True)
    api = AdminApi(d, https=True)
    cookie, _ = api.login()  # verified against DATA_DIR/tls/cert.pem, which the daemon generated
    assert "Secure" in cookie and "HttpOnly" in cookie
    assert api.get("/tls/certificate")["self_signed"] is True
    pem = (d.data_dir / "tls" / "cert.pem").read_text()
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", d.ports["admin"]), timeout=10) as raw:
        with ctx.wrap_socket(raw) as tls:
            assert tls.version() in ("TLSv1.2", "TLSv1.3")
            assert ssl.DER_cert_to_PEM_cert(tls.getpeercert(binary_form=True)).strip() == pem.strip()
    # The HTTPS port does not speak plain HTTP.
    with socket.create_connection(("127.0.0.1", d.ports["admin"]), timeout=10) as raw:
        raw.sendall(b"GET /api/v1/session HTTP/1.0\r\n\r\n")
        assert b"HTTP/1.1 401" not in raw.recv(4096)


def test_plain_http_only_on_loopback(mailserver):
    d = mailserver(start=False)
    res = d.cli("config", "set", "admin.plain_http_listen", "0.0.0.0:2999", check=False)
    assert res.returncode == 1 and "admin.plain_http_listen" in res.stderr
    d.start()
    api = AdminApi(d, https=True)
    d.cli("admin", "passwd", "--password-stdin", input=ADMIN_PASSWORD + "\n")
    api.login()
    status, _, data = api.raw("PATCH", "/api/v1/settings", {"admin.plain_http_listen": "192.168.1.1:2998"})
    assert status == 400 and data["field"] == "admin.plain_http_listen"


def test_body_size_limit(mailserver):
    d = start_admin(mailserver, admin__max_body_kb=16)
    api = AdminApi(d)
    api.login()
    status, _, data = api.raw("POST", "/api/v1/domains", {"name": "a" * 20000 + ".test"})
    assert status == 413 and "error" in data
    assert api.get("/domains") == [{"name": "example.test"}]


def test_static_placeholder_and_unknown_routes(mailserver):
    d = start_admin(mailserver)
    api = AdminApi(d)
    status, headers, body = api.raw("GET", "/")
    assert status == 200 and "Postern" in body and headers["content-type"].startswith("text/html")
    status, _, _ = api.raw("GET", "/nothing-here.js")
    assert status == 404
    status, _, _ = api.raw("GET", "/api/v1/no-such-route")
    assert status == 401  # the gate comes first
    api.login()
    status, _, _ = api.raw("GET", "/api/v1/no-such-route")
    assert status == 404
    status, _, _ = api.raw("POST", "/api/v1/status", {})
    assert status == 405

"""A small client for the admin JSON API (http.client), used by tests/e2e/test_api_*.py.

Every answer is checked against the secrets the test registered: a password or private key
that ever comes back in a response body or header fails the test at once."""
import http.client
import json
import ssl
from pathlib import Path

ADMIN_PASSWORD = "admin-pass-123"


class ApiError(AssertionError):
    pass


class AdminApi:
    def __init__(self, daemon, https=False, source="127.0.0.1"):
        self.daemon = daemon
        self.https = https
        self.source = source
        self.cookie = None
        self.csrf = None
        self.secrets = {ADMIN_PASSWORD}

    def connection(self):
        if self.https:
            ctx = ssl.create_default_context(cafile=str(self.daemon.data_dir / "tls" / "cert.pem"))
            ctx.check_hostname = False  # the certificate names the host, the test dials 127.0.0.1
            return http.client.HTTPSConnection("127.0.0.1", self.daemon.ports["admin"], context=ctx,
                                               timeout=30, source_address=(self.source, 0))
        return http.client.HTTPConnection("127.0.0.1", self.daemon.ports["admin_plain"], timeout=30,
                                          source_address=(self.source, 0))

    def raw(self, method, path, body=None, headers=None, cookie=True, csrf=True):
        """(status, headers dict, parsed JSON or text) without raising on errors."""
        h = dict(headers or {})
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        if cookie and self.cookie:
            h["Cookie"] = self.cookie
        if csrf and self.csrf:
            h["X-CSRF-Token"] = self.csrf
        conn = self.connection()
        try:
            conn.request(method, path, body=body, headers=h)
            res = conn.getresponse()
            data = res.read()
            headers = {k.lower(): v for k, v in res.getheaders()}
            all_cookies = res.msg.get_all("Set-Cookie") or []
        finally:
            conn.close()
        text = data.decode("utf-8", "replace")
        for secret in self.secrets:
            assert secret not in text, f"secret leaked in {method} {path}: {text[:300]}"
            assert all(secret not in v for v in headers.values()), f"secret leaked in headers of {method} {path}"
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = text
        headers["set-cookie-all"] = all_cookies
        return res.status, headers, parsed

    def call(self, method, path, body=None, expect=(200, 201)):
        status, _, data = self.raw(method, "/api/v1" + path, body)
        if status not in (expect if isinstance(expect, tuple) else (expect,)):
            raise ApiError(f"{method} {path} -> {status}: {data}")
        return data

    def get(self, path, **kw):
        return self.call("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.call("POST", path, body if body is not None else {}, **kw)

    def put(self, path, body, **kw):
        return self.call("PUT", path, body, **kw)

    def patch(self, path, body, **kw):
        return self.call("PATCH", path, body, **kw)

    def delete(self, path, **kw):
        return self.call("DELETE", path, **kw)

    def login(self, password=ADMIN_PASSWORD):
        status, headers, data = self.raw("POST", "/api/v1/login", {"password": password}, cookie=False, csrf=False)
        if status != 200:
            raise ApiError(f"login -> {status}: {data}")
        cookie = headers["set-cookie-all"][0]
        self.cookie = cookie.split(";")[0]
        self.csrf = data["csrf_token"]
        return cookie, data

    def secret(self, value):
        self.secrets.add(value)
        return value


def start_admin(make, **settings):
    """A daemon from a conftest factory (`mailserver` or `daemon_factory`) with the admin
    password set and a plain-HTTP loopback listener besides the HTTPS one; started."""
    from conftest import free_port
    d = make(start=False, **settings)
    d.ports["admin_plain"] = free_port()
    d.set(admin__plain_http_listen=f"127.0.0.1:{d.ports['admin_plain']}")
    d.cli("admin", "passwd", "--password-stdin", input=ADMIN_PASSWORD + "\n")
    d.start()
    assert "admin panel listening" in d.log("postern.log"), d.log("postern.log")[-2000:]
    return d


def wait_reload(daemon, before, timeout=20):
    """Waits until the daemon logged more settings reloads than `before`."""
    import time
    deadline = time.time() + timeout
    while daemon.reloads() <= before:
        assert time.time() < deadline, "daemon did not reload: " + daemon.log("postern.log")[-2000:]
        time.sleep(0.05)


def openapi():
    return json.loads((Path(__file__).resolve().parents[2] / "webapp-api" / "openapi.json").read_text())

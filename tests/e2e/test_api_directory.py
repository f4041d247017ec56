"""Domains, users and aliases through the admin API, checked with real SMTP: a user created
or re-passworded through the API authenticates with that password; passwords never return."""
import smtplib
import ssl

from admin_api import AdminApi


def smtp_login(d, user, password):
    with d.smtp("submission") as s:
        s.ehlo()
        ctx = ssl.create_default_context()
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        s.starttls(context=ctx)
        s.ehlo()
        try:
            s.login(user, password)
            return True
        except smtplib.SMTPAuthenticationError:
            return False


def test_domains(admin):
    d, api = admin
    assert api.get("/domains") == [{"name": "example.test"}]
    assert api.post("/domains", {"name": "Other.Test"}) == {"name": "other.test"}
    assert d.cli("domain", "list").stdout.split() == ["example.test", "other.test"]
    status, _, data = api.raw("POST", "/api/v1/domains", {"name": "other.test"})
    assert status == 409 and "already exists" in data["error"]
    status, _, data = api.raw("POST", "/api/v1/domains", {"name": "not a domain"})
    assert status == 400 and data["field"] == "name"
    status, _, data = api.raw("POST", "/api/v1/domains", {"name": 5})
    assert status == 400 and data["field"] == "name"
    status, _, data = api.raw("DELETE", "/api/v1/domains/example.test")
    assert status == 409 and "user" in data["error"]  # still has users
    api.delete("/domains/other.test")
    status, _, _ = api.raw("DELETE", "/api/v1/domains/other.test")
    assert status == 404
    assert api.get("/domains") == [{"name": "example.test"}]


def test_users_and_passwords(admin):
    d, api = admin
    first = api.secret("carol-first-pass")
    second = api.secret("carol-second-pass")
    assert api.post("/users", {"address": "Carol@Example.Test", "password": first}) == {"address": "carol@example.test"}
    assert {"address": "carol@example.test"} in api.get("/users")
    assert smtp_login(d, "carol@example.test", first)
    api.put("/users/carol@example.test/password", {"password": second})
    assert not smtp_login(d, "carol@example.test", first)
    assert smtp_login(d, "carol@example.test", second)
    status, _, data = api.raw("POST", "/api/v1/users", {"address": "dave@example.test", "password": "short"})
    assert status == 400 and data["field"] == "password"
    status, _, data = api.raw("POST", "/api/v1/users", {"address": "dave@nowhere.test", "password": "long-enough-1"})
    assert status == 409 and "not hosted" in data["error"]
    status, _, data = api.raw("POST", "/api/v1/users", {"address": "not-an-address", "password": "long-enough-1"})
    assert status == 400 and data["field"] == "address"
    status, _, data = api.raw("PUT", "/api/v1/users/nobody@example.test/password", {"password": "long-enough-1"})
    assert status == 404
    api.delete("/users/carol@example.test")
    assert {"address": "carol@example.test"} not in api.get("/users")
    assert not smtp_login(d, "carol@example.test", second)


def test_aliases_deliver(admin):
    d, api = admin
    alias = api.post("/aliases", {"address": "team@example.test", "targets": ["alice@example.test", "bob@example.test"]})
    assert alias == {"address": "team@example.test", "targets": ["alice@example.test", "bob@example.test"]}
    assert api.get("/aliases") == [alias]
    with d.smtp() as s:
        s.sendmail("someone@outside.test", ["team@example.test"], b"Subject: hi\r\n\r\nhello\r\n")
    d.wait_messages("alice@example.test", 1)
    d.wait_messages("bob@example.test", 1)
    for body, field in [({"address": "team2@example.test", "targets": "alice@example.test"}, "targets"),
                        ({"address": "team2@example.test", "targets": []}, "targets"),
                        ({"address": "team2@example.test", "targets": ["bad address"]}, "targets"),
                        ({"address": "team2@example.test"}, "targets"),
                        ({"address": "team2@example.test", "targets": ["a@b.test"], "extra": 1}, "extra")]:
        status, _, data = api.raw("POST", "/api/v1/aliases", body)
        assert status == 400 and data["field"] == field, (body, data)
    api.delete("/aliases/team@example.test")
    assert api.get("/aliases") == []
    status, _, _ = api.raw("DELETE", "/api/v1/aliases/team@example.test")
    assert status == 404


def test_admin_password_change(admin):
    d, api = admin
    new = api.secret("brand-new-admin-pass")
    status, _, data = api.raw("PUT", "/api/v1/admin/password", {"current_password": "wrong-one!", "password": new})
    assert status == 400 and data["field"] == "current_password"
    status, _, data = api.raw("PUT", "/api/v1/admin/password", {"current_password": "admin-pass-123", "password": "short"})
    assert status == 400 and data["field"] == "password"
    api.put("/admin/password", {"current_password": "admin-pass-123", "password": new})
    status, _, _ = AdminApi(d).raw("POST", "/api/v1/login", {"password": "admin-pass-123"})
    assert status == 401
    AdminApi(d).login(new)

"""Settings through the admin API: read, change many at once (all or nothing), the schema,
write-only secrets, and a change that alters SMTP behaviour at once (LAN relay)."""
import json
import socket

import pytest

from admin_api import wait_reload
from conftest import OUTSIDE_IP


def test_schema_is_the_registry(admin):
    d, api = admin
    schema = api.get("/settings/schema")
    assert schema == json.loads(d.cli("config", "schema").stdout)
    by_key = {s["key"]: s for s in schema}
    assert by_key["smtp.max_recipients"]["type"] == "int" and by_key["smtp.max_recipients"]["max"] == 10000
    assert by_key["delivery.smarthost_password"]["secret"] is True
    assert by_key["delivery.mode"]["choices"] == ["direct", "smarthost", "rules"]
    assert "admin.session_idle" in by_key and all(s["doc"] for s in schema)


def test_change_several_settings_at_once(admin):
    d, api = admin
    before = api.get("/settings")
    assert before["settings"]["smtp.max_recipients"] == "100"
    reloads = d.reloads()
    after = api.patch("/settings", {"smtp.max_recipients": 7, "smtp.banner": "Hello there", "smtp.lan_skip_auth": False})
    assert after["settings"]["smtp.max_recipients"] == "7"
    assert d.cli("config", "get", "smtp.banner").stdout.strip() == "Hello there"
    wait_reload(d, reloads)
    with socket.create_connection(("127.0.0.1", d.ports["smtp"]), timeout=10) as conn:
        assert b"Hello there" in conn.recv(512)


@pytest.mark.parametrize("body, field", [
    ({"no.such.key": "1"}, "no.such.key"),
    ({"smtp.max_recipients": 0}, "smtp.max_recipients"),
    ({"smtp.max_recipients": "many"}, "smtp.max_recipients"),
    ({"smtp.max_recipients": [1]}, "smtp.max_recipients"),
    ({"smtp.require_auth": "perhaps"}, "smtp.require_auth"),
    ({"smtp.require_auth": 1}, "smtp.require_auth"),
    ({"network.lan": "0.0.0.0/0"}, "network.lan"),
    ({"network.lan": "not-a-network"}, "network.lan"),
    ({"delivery.mode": "smarthost", "delivery.smarthost_host": ""}, "delivery.smarthost_host"),
    ({"smtp.listen": "127.0.0.1:2999", "submission.listen": "127.0.0.1:2999"}, None),
])
def test_bad_settings_are_refused_and_nothing_is_applied(admin, body, field):
    d, api = admin
    before = api.get("/settings")
    # A valid change rides along: it must not be applied either.
    status, _, data = api.raw("PATCH", "/api/v1/settings", {"smtp.banner": "Should not stick", **body})
    assert status == 400, data
    assert data["error"]
    if field:
        assert data["field"] == field, data
    else:
        assert data["field"] in ("smtp.listen", "submission.listen")
    assert api.get("/settings") == before
    assert d.cli("config", "get", "smtp.banner").stdout.strip() == "Postern ESMTP"


@pytest.mark.parametrize("body", ["{", "[1,2]", '"text"', ""])
def test_bad_json_is_refused(admin, body):
    d, api = admin
    status, _, data = api.raw("PATCH", "/api/v1/settings", body, headers={"Content-Type": "application/json"})
    assert status == 400 and "error" in data and "field" in data


def test_secrets_are_write_only(admin):
    d, api = admin
    password = api.secret("smart-host-Secret-9")
    res = api.patch("/settings", {"delivery.smarthost_host": "127.0.0.1", "delivery.smarthost_username": "me",
                                  "delivery.smarthost_password": password})
    assert "delivery.smarthost_password" not in res["settings"]
    assert res["secrets_set"]["delivery.smarthost_password"] is True
    assert d.cli("config", "get", "delivery.smarthost_password").stdout.strip() == "********"
    assert password not in json.dumps(api.get("/settings"))
    # Leaving the secret out of a later change keeps it.
    api.patch("/settings", {"smtp.banner": "Still here"})
    assert api.get("/settings")["secrets_set"]["delivery.smarthost_password"] is True


def test_lan_subnet_added_through_the_api_lets_a_client_relay(admin):
    d, api = admin
    # 127.0.0.3 is outside: relaying to a remote domain is refused without AUTH.
    with d.smtp(source=OUTSIDE_IP) as s:
        s.ehlo()
        assert s.mail("someone@outside.test")[0] == 250
        code, _ = s.rcpt("friend@remote.test")
        assert code // 100 == 5
    before = d.reloads()
    api.patch("/settings", {"network.lan": "127.0.0.2/32,127.0.0.3/32"})
    wait_reload(d, before)
    with d.smtp(source=OUTSIDE_IP) as s:
        s.ehlo()
        assert s.mail("someone@outside.test")[0] == 250
        assert s.rcpt("friend@remote.test")[0] == 250

"""Relay control and routing tables through the admin API: trusted networks change who may
relay at once; relay domains, smart-host rules and host credentials; passwords never return;
networks that would open the relay are refused."""

from conftest import OUTSIDE_IP


def may_relay(d, source):
    with d.smtp(source=source) as s:
        s.ehlo()
        assert s.mail("printer@office.test")[0] == 250
        return s.rcpt("friend@remote.test")[0] == 250


def test_trusted_network_added_and_removed_through_the_api(admin):
    d, api = admin
    assert not may_relay(d, OUTSIDE_IP)
    assert api.post("/trusted-networks", {"name": "office", "networks": ["127.0.0.3/32", "10.1.2.3/24"]}) == \
        {"name": "office", "networks": ["127.0.0.3/32", "10.1.2.0/24"]}
    assert api.get("/trusted-networks") == [{"name": "office", "networks": ["127.0.0.3/32", "10.1.2.0/24"]}]
    assert may_relay(d, OUTSIDE_IP)
    api.delete("/trusted-networks/office")
    assert not may_relay(d, OUTSIDE_IP)
    for body, field in [({"name": "wide", "networks": ["0.0.0.0/0"]}, "networks"),
                        ({"name": "wide", "networks": ["10.0.0.0/7"]}, "networks"),
                        ({"name": "bad name!", "networks": ["10.0.0.0/8"]}, "name"),
                        ({"name": "x", "networks": "10.0.0.0/8"}, "networks"),
                        ({"name": "x", "networks": ["nonsense"]}, "networks")]:
        status, _, data = api.raw("POST", "/api/v1/trusted-networks", body)
        assert status == 400 and data["field"] == field, (body, data)
    assert api.get("/trusted-networks") == []
    status, _, _ = api.raw("DELETE", "/api/v1/trusted-networks/office")
    assert status == 404


def test_relay_domains(admin):
    d, api = admin
    assert api.post("/relay-domains", {"domain": "Branch.Test", "next_hop": "127.0.0.1:2599"}) == \
        {"domain": "branch.test", "next_hop": "127.0.0.1:2599"}
    assert api.post("/relay-domains", {"domain": "mx.test"}) == {"domain": "mx.test", "next_hop": ""}
    assert d.cli("relay-domain", "list").stdout.splitlines() == ["branch.test -> 127.0.0.1:2599", "mx.test -> (MX)"]
    # Accepted from anyone, without AUTH.
    with d.smtp(source=OUTSIDE_IP) as s:
        s.ehlo()
        s.mail("someone@outside.test")
        assert s.rcpt("user@branch.test")[0] == 250
    status, _, data = api.raw("POST", "/api/v1/relay-domains", {"domain": "example.test"})
    assert status == 409  # hosted here
    status, _, data = api.raw("POST", "/api/v1/relay-domains", {"domain": "x.test", "next_hop": "bad host!"})
    assert status == 400 and data["field"] == "next_hop"
    api.delete("/relay-domains/branch.test")
    api.delete("/relay-domains/mx.test")
    assert api.get("/relay-domains") == []


def test_rules_and_credentials_keep_passwords_secret(admin):
    d, api = admin
    rule_pw = api.secret("rule-Password-77")
    cred_pw = api.secret("cred-Password-88")
    rule = api.post("/relay-rules", {"name": "isp", "kind": "recipient", "patterns": [".Example.Org", "partner.test"],
                                     "host": "smtp.isp.test", "tls": "implicit", "username": "me", "password": rule_pw})
    assert rule == {"name": "isp", "position": rule["position"], "kind": "recipient",
                    "patterns": [".example.org", "partner.test"], "host": "smtp.isp.test", "port": 465,
                    "tls": "implicit", "verify": True, "username": "me", "password_set": True}
    api.post("/relay-rules", {"name": "second", "kind": "sender", "patterns": ["a@b.test"], "host": "127.0.0.1:2600",
                              "verify": False})
    assert [r["name"] for r in api.get("/relay-rules")] == ["isp", "second"]
    assert api.get("/relay-rules")[1]["password_set"] is False
    assert "password=********" in d.cli("rule", "list").stdout
    for body, field in [({"name": "r", "kind": "both", "patterns": ["a.test"], "host": "h.test"}, "kind"),
                        ({"name": "r", "kind": "sender", "patterns": ["a..b"], "host": "h.test"}, "patterns"),
                        ({"name": "r", "kind": "sender", "patterns": ["a.test"], "host": "h.test", "port": 70000}, "port"),
                        ({"name": "r", "kind": "sender", "patterns": ["a.test"], "host": "h.test", "tls": "maybe"}, "tls"),
                        ({"name": "r", "kind": "sender", "patterns": ["a.test"], "host": "h.test", "verify": "no"}, "verify"),
                        ({"name": "r", "kind": "sender", "patterns": ["a.test"], "host": "h.test", "username": "u"}, "password")]:
        status, _, data = api.raw("POST", "/api/v1/relay-rules", body)
        assert status == 400 and data["field"] == field, (body, data)
    status, _, _ = api.raw("POST", "/api/v1/relay-rules", {"name": "isp", "kind": "sender", "patterns": ["x.test"],
                                                          "host": "h.test"})
    assert status == 409
    api.delete("/relay-rules/isp")
    assert [r["name"] for r in api.get("/relay-rules")] == ["second"]

    assert api.post("/credentials", {"host": "Smtp.ISP.test", "username": "me", "password": cred_pw}) == \
        {"host": "smtp.isp.test", "username": "me", "password_set": True}
    assert api.get("/credentials") == [{"host": "smtp.isp.test", "username": "me", "password_set": True}]
    status, _, data = api.raw("POST", "/api/v1/credentials", {"host": "h.test", "username": "me", "password": ""})
    assert status == 400 and data["field"] == "password"
    api.delete("/credentials/smtp.isp.test")
    assert api.get("/credentials") == []
    status, _, _ = api.raw("DELETE", "/api/v1/credentials/smtp.isp.test")
    assert status == 404

"""Admin API routes for the policy engine's state, against the real daemon and real SMTP
clients: black and white lists (SEC-1), client blocks, the authentication-failure log with
its "block this IP" (ACC-2), the SPF cache (SPF-4) and the policy refusals in /status. Every change made through the API is
seen by the running daemon at the next connection.
network.lan=127.0.0.2/32; 127.0.0.3 and up are outside hosts."""
import re
import time

import pytest

from admin_api import AdminApi, start_admin
from conftest import OUTSIDE_IP, plain_token
from dns_server import DnsServer
from security_helpers import greeting, mail_rcpt


@pytest.fixture
def api_daemon(mailserver):
    def make(**settings):
        d = start_admin(mailserver, **settings)
        api = AdminApi(d)
        api.login()
        return d, api
    return make


def test_black_rule_refuses_the_client_until_deleted(api_daemon):
    d, api = api_daemon()
    assert greeting(d, "127.0.0.4")[0] == 220
    assert api.get("/status")["policy_refusals"] == {}
    rule = api.post("/security-rules", {"list": "black", "type": "ip", "value": "127.0.0.4", "action": "reject"})
    assert {k: rule[k] for k in ("list", "type", "value", "action")} == \
        {"list": "black", "type": "ip", "value": "127.0.0.4", "action": "reject"}
    assert rule in api.get("/security-rules")
    assert "black ip 127.0.0.4 reject" in d.cli("access", "list").stdout  # the same store as the CLI
    code, text = greeting(d, "127.0.0.4")
    assert (code, text[4:9]) == (554, "5.7.1"), text
    assert greeting(d, "127.0.0.5")[0] == 220
    assert api.get("/status")["policy_refusals"] == {"client.blacklist": 1}  # counted live, in memory
    api.delete(f"/security-rules/{rule['id']}")
    assert api.get("/security-rules") == []
    assert greeting(d, "127.0.0.4")[0] == 220
    status, _, data = api.raw("DELETE", f"/api/v1/security-rules/{rule['id']}")
    assert status == 404 and "error" in data


def test_sender_domain_rule_from_the_panel_and_whitelist_rules(api_daemon):
    d, api = api_daemon()
    # The control panel names the type sender_domain and sends its default action with every rule.
    rule = api.post("/security-rules", {"list": "black", "type": "sender_domain", "value": "Spam.TEST", "action": "discard"})
    assert (rule["type"], rule["value"], rule["action"]) == ("domain", "spam.test", "discard")
    white = api.post("/security-rules", {"list": "white", "type": "cidr", "value": "127.0.0.0/255.255.255.248",
                                         "action": "reject"})
    assert (white["value"], white["action"]) == ("127.0.0.0/29", None)
    black = api.post("/security-rules", {"list": "black", "type": "sender", "value": "Spammer@Elsewhere.test"})
    assert black["action"] == "reject"
    mail, _ = mail_rcpt(d, "127.0.0.9", "spammer@elsewhere.test", "alice@example.test")
    assert (mail[0], mail[1][4:9]) == (554, "5.7.1"), mail
    assert [r["id"] for r in api.get("/security-rules")] == [rule["id"], white["id"], black["id"]]
    status, _, data = api.raw("POST", "/api/v1/security-rules", {"list": "black", "type": "sender", "value": "spammer@elsewhere.test"})
    assert status == 409 and "already" in data["error"]


@pytest.mark.parametrize("body,field", [
    ({"list": "grey", "type": "ip", "value": "127.0.0.4"}, "list"),
    ({"list": "black", "type": "asn", "value": "127.0.0.4"}, "type"),
    ({"list": "black", "type": "ip", "value": "127.0.0.400"}, "value"),
    ({"list": "black", "type": "cidr", "value": "10.0.0.0/255.0.255.0"}, "value"),
    ({"list": "black", "type": "sender", "value": "not an address"}, "value"),
    ({"list": "black", "type": "ip", "value": "127.0.0.4", "action": "drop"}, "action"),
    ({"list": "white", "type": "ip", "value": "127.0.0.4", "action": "discard"}, "action"),
    ({"list": "black", "type": "ip"}, "value"),
    ({"list": "black", "type": "ip", "value": "127.0.0.4", "color": "red"}, "color"),
])
def test_bad_rules_name_the_field_and_store_nothing(api_daemon, body, field):
    d, api = api_daemon()
    status, _, data = api.raw("POST", "/api/v1/security-rules", body)
    assert status == 400 and data["field"] == field, data
    assert api.get("/security-rules") == []
    assert greeting(d, "127.0.0.4")[0] == 220


def test_block_and_lift(api_daemon):
    d, api = api_daemon()
    until = int(time.time()) + 3600
    block = api.post("/blocks", {"ip": "127.0.0.6", "reason": "too many bounces", "until": until})
    assert (block["ip"], block["reason"], block["until"]) == ("127.0.0.6", "too many bounces", until)
    forever = api.post("/blocks", {"ip": "127.0.0.7"})  # what the panel's logs page sends
    assert forever["until"] == 0 and forever["reason"]
    assert sorted(b["ip"] for b in api.get("/blocks")) == ["127.0.0.6", "127.0.0.7"]
    assert re.search(r"^127\.0\.0\.6 since .* too many bounces$", d.cli("block", "list").stdout, re.M)
    code, text = greeting(d, "127.0.0.6")
    assert (code, text[4:9]) == (421, "4.7.1") and "too many bounces" in text, text
    assert greeting(d, "127.0.0.7")[0] == 421
    assert greeting(d, "127.0.0.8")[0] == 220
    api.delete("/blocks/127.0.0.6")
    assert greeting(d, "127.0.0.6")[0] == 220
    assert [b["ip"] for b in api.get("/blocks")] == ["127.0.0.7"]
    status, _, data = api.raw("DELETE", "/api/v1/blocks/127.0.0.6")
    assert status == 404, data


@pytest.mark.parametrize("body,field", [
    ({"ip": "127.0.0.300"}, "ip"),
    ({}, "ip"),
    ({"ip": "127.0.0.6", "until": 1000}, "until"),
    ({"ip": "127.0.0.6", "until": "tomorrow"}, "until"),
    ({"ip": "127.0.0.6", "reason": "two\nlines"}, "reason"),
    ({"ip": "127.0.0.6", "reason": "x" * 201}, "reason"),
])
def test_bad_blocks_name_the_field(api_daemon, body, field):
    d, api = api_daemon()
    status, _, data = api.raw("POST", "/api/v1/blocks", body)
    assert status == 400 and data["field"] == field, data
    assert api.get("/blocks") == []
    assert greeting(d, "127.0.0.6")[0] == 220


def test_auth_failure_over_smtp_is_listed_and_its_block_refuses_the_ip(api_daemon):
    d, api = api_daemon()
    c = d.raw("submission", source=OUTSIDE_IP)
    with c:
        c.ehlo()
        assert c.cmd("STARTTLS")[0] == 220
        c.starttls()
        c.ehlo()
        assert c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "wrong-password-1"))[0] == 535
        assert c.cmd("AUTH PLAIN " + plain_token("nobody here@example.test", "whatever-123"))[0] == 535
    d.wait_log("auth.log", r"nobody%20here")
    page = api.get("/auth-failures?limit=10")
    assert page["total"] == 2 and len(page["entries"]) == 2
    newest, oldest = page["entries"]
    assert {k: newest[k] for k in ("protocol", "ip", "login", "account", "mechanism", "reason")} == \
        {"protocol": "smtp", "ip": "127.0.0.3", "login": "nobody here@example.test", "account": None,
         "mechanism": "PLAIN", "reason": "bad-credentials"}
    assert (oldest["login"], oldest["account"]) == ("alice@example.test", "alice@example.test")
    assert newest["session"] == oldest["session"] and re.match(r"\d{4}-\d\d-\d\dT", newest["time"])
    assert api.get("/auth-failures?limit=1&offset=1")["entries"] == [oldest]
    status, _, data = api.raw("GET", "/api/v1/auth-failures?limit=0")
    assert status == 400 and data["field"] == "limit"

    rule = api.post("/auth-failures/block", {"ip": newest["ip"]})
    assert (rule["list"], rule["type"], rule["value"], rule["action"]) == ("black", "ip", "127.0.0.3", "reject")
    assert greeting(d, OUTSIDE_IP)[0] == 554
    assert greeting(d, "127.0.0.4")[0] == 220
    status, _, data = api.raw("POST", "/api/v1/auth-failures/block", {"ip": "not-an-ip"})
    assert status == 400 and data["field"] == "ip"


def test_spf_cache_listed_and_flushed(mailserver):
    with DnsServer([("pass.test", "TXT", "v=spf1 ip4:127.0.0.10 -all")]) as dns:
        d = start_admin(mailserver, dns__nameservers=dns.nameserver, spf__verify_mail_from="true")
        api = AdminApi(d)
        api.login()
        assert api.get("/spf/cache") == []
        mail, _ = mail_rcpt(d, "127.0.0.10", "someone@pass.test", "alice@example.test")
        assert mail[0] == 250, mail
        [entry] = api.get("/spf/cache")
        assert (entry["ip"], entry["domain"], entry["result"]) == ("127.0.0.10", "pass.test", "pass")
        assert entry["expires_at"] > time.time()
        assert "pass.test" in d.cli("spf", "cache", "list").stdout
        assert api.delete("/spf/cache") == {"cleared": 1}
        assert api.get("/spf/cache") == []
        assert "pass.test" not in d.cli("spf", "cache", "list").stdout

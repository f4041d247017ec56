"""Accounts and relay control through the panel, checked with real mail: an alias made in
the browser delivers, a trusted network added in the browser relays without credentials."""
from test_panel import b_locator, confirm_dialog, go, relay_reply, sign_in, wait_heading, wait_until


def signed_in(b, d, hash_):
    b.new_page()
    sign_in(b, d)
    wait_heading(b, "Overview")
    go(b, hash_)


def add(b, panel, values, button="Add"):
    for name, value in values.items():
        b.page(["locator", f"#{panel}-{name}"], ["fill", value])
    b.page(["locator", "section.panel", {"has": b_locator(f"#{panel}-title")}], ["getByRole", "button", {"name": button, "exact": True}], ["click"])


def test_accounts_domain_user_alias(admin_daemon, browser, shots):
    d, b = admin_daemon, browser
    signed_in(b, d, "#/accounts")
    add(b, "domains", {"name": "second.test"})
    b.page(["locator", "#domains-table tbody tr", {"hasText": "second.test"}], ["waitFor"])
    # A password the API refuses (too short) is explained beside the password field.
    add(b, "users", {"address": "carol@second.test", "password": "short"})
    b.page(["locator", "#users-password-error"], ["waitFor"])
    assert b.page(["locator", "#users-password"], ["getAttribute", "aria-invalid"]) == "true"
    add(b, "users", {"address": "carol@second.test", "password": d.api.secret("carol-secret-77")})
    b.page(["locator", "#users-table tbody tr", {"hasText": "carol@second.test"}], ["waitFor"])
    add(b, "aliases", {"address": "team@second.test", "targets": "carol@second.test, bob@example.test"})
    b.page(["locator", "#aliases-table tbody tr", {"hasText": "team@second.test"}], ["waitFor"])
    shots(b, "accounts")
    # The alias delivers to both targets.
    with d.smtp(source="127.0.0.2") as s:
        s.sendmail("alice@example.test", ["team@second.test"], "Subject: hi team\r\n\r\nhello\r\n")
    assert b"hi team" in d.wait_messages("carol@second.test", 1)[0]
    assert b"hi team" in d.wait_messages("bob@example.test", 1)[0]
    # A domain still in use cannot go: the conflict is explained, nothing is lost.
    b.page(["getByRole", "button", {"name": "Delete second.test"}], ["click"])
    confirm_dialog(b)
    b.page(["locator", "section.panel", {"has": b_locator("#domains-title")}], ["locator", ".error"], ["waitFor"])
    assert {x["name"] for x in d.api.get("/domains")} >= {"second.test"}
    # Deleting the alias asks first, then it is gone.
    b.page(["getByRole", "button", {"name": "Delete team@second.test"}], ["click"])
    confirm_dialog(b)
    b.page(["locator", "#aliases-table tbody tr", {"hasText": "team@second.test"}], ["waitFor", {"state": "detached"}])
    assert "team@second.test" not in [a["address"] for a in d.api.get("/aliases")]


def test_trusted_list_lets_a_server_relay(admin_daemon, browser, shots):
    d, b = admin_daemon, browser
    assert relay_reply(d, "127.0.0.6")[0] >= 500
    signed_in(b, d, "#/delivery/relay")
    b.page(["locator", "#trusted-name"], ["waitFor"])
    add(b, "trusted", {"name": "printer", "networks": "127.0.0.6"}, button="Create")
    b.page(["locator", "#trusted-table tbody tr", {"hasText": "printer"}], ["waitFor"])
    assert [(n["name"], n["networks"]) for n in d.api.get("/trusted-networks")] == [("printer", ["127.0.0.6/32"])]
    add(b, "relaydomains", {"domain": "branch.test", "next_hop": "127.0.0.1"}, button="Create")
    b.page(["locator", "#relaydomains-table tbody tr", {"hasText": "branch.test"}], ["waitFor"])
    shots(b, "relay")
    wait_until(lambda: relay_reply(d, "127.0.0.6")[0] == 250, "the trusted server may relay")
    assert relay_reply(d, "127.0.0.7")[0] >= 500  # its neighbour still may not


def test_overview_counts_rejects_by_reason(admin_daemon, browser):
    d, b = admin_daemon, browser
    for _ in range(2):
        assert relay_reply(d, "127.0.0.3")[0] >= 500  # an outsider tries to relay
    signed_in(b, d, "#/overview")
    row = b.page(["locator", "#ov-rejects ~ table tbody tr"], ["first"], ["textContent"])
    assert "5.7.1" in row and "2" in row


def test_generate_certificate_confirmed_with_progress(admin_daemon, browser, shots):
    d, b = admin_daemon, browser
    before = d.api.get("/tls/certificate")["sha256"]
    signed_in(b, d, "#/certificate")
    button = ["getByRole", "button", {"name": "Generate a self-signed certificate"}]
    b.page(button, ["click"])
    # Cancelling changes nothing.
    b.page(["locator", "dialog.confirm"], ["getByRole", "button", {"name": "Cancel"}], ["click"])
    assert d.api.get("/tls/certificate")["sha256"] == before
    # The admin web server takes the new certificate without a restart: the next request is
    # served at once.
    starts = d.log("postern.log").count("admin panel listening on")
    b.page(button, ["click"])
    confirm_dialog(b)
    wait_until(lambda: d.api.get("/tls/certificate")["sha256"] != before, "the new certificate is in use")
    after = d.api.get("/tls/certificate")["sha256"]
    assert d.log("postern.log").count("admin panel listening on") == starts
    b.page(["reload"])
    b.page(["locator", "dd", {"hasText": after}], ["waitFor"])
    shots(b, "certificate")


def test_smart_host_password_is_write_only(admin_daemon, browser):
    d, b = admin_daemon, browser
    secret = d.api.secret("smart-host-pass-42")
    signed_in(b, d, "#/delivery/delivery")
    b.page(["getByLabel", "Delivery type"], ["selectOption", "smarthost"])
    b.page(["locator", "#set-delivery-smarthost-host"], ["waitFor"])
    b.page(["locator", "#set-delivery-smarthost-host"], ["fill", "127.0.0.1"])
    b.page(["locator", "#set-delivery-smarthost-username"], ["fill", "relay-user"])
    password = ["locator", "#set-delivery-smarthost-password"]
    assert b.page(password, ["getAttribute", "placeholder"]) == "not set"
    b.page(password, ["fill", secret])
    form = ["locator", "form.settings", {"has": b_locator("#set-delivery-mode")}]
    b.page(form, ["getByRole", "button", {"name": "Apply"}], ["click"])
    b.page(form, ["getByText", "Saved.", {"exact": True}], ["waitFor"])
    assert d.api.get("/settings")["secrets_set"]["delivery.smarthost_password"] is True
    # The field is empty again and only says a password is stored; the page never holds it.
    assert b.page(password, ["inputValue"]) == ""
    assert b.page(password, ["getAttribute", "placeholder"]) == "stored; type to replace"
    b.page(["reload"])
    b.page(["locator", "#set-delivery-smarthost-password"], ["waitFor"])
    assert secret not in b.page(["content"])


def test_security_rules_white_has_no_action_and_blocks_lift(admin_daemon, browser, shots):
    """A whitelist rule is sent without an action (the field is hidden) and listed with "—";
    a blacklist domain rule shows its type label; an automatic block is lifted from Blocks."""
    d, b = admin_daemon, browser
    signed_in(b, d, "#/delivery/security")
    b.page(["locator", "#seclists-list"], ["selectOption", "white"])
    b.page(["locator", "#seclists-action"], ["waitFor", {"state": "detached"}])
    b.page(["locator", "#seclists-type"], ["selectOption", "cidr"])
    add(b, "seclists", {"value": "192.0.2.0/24"})
    b.page(["locator", "#seclists-table tbody tr", {"hasText": "192.0.2.0/24"}], ["waitFor"])
    row = b.page(["locator", "#seclists-table tbody tr", {"hasText": "192.0.2.0/24"}], ["textContent"])
    assert "IP/netmask" in row and "—" in row
    b.page(["locator", "#seclists-list"], ["selectOption", "black"])
    b.page(["locator", "#seclists-type"], ["selectOption", "domain"])
    b.page(["locator", "#seclists-action"], ["selectOption", "discard"])
    add(b, "seclists", {"value": "spam.test"})
    b.page(["locator", "#seclists-table tbody tr", {"hasText": "spam.test"}], ["waitFor"])
    row = b.page(["locator", "#seclists-table tbody tr", {"hasText": "spam.test"}], ["textContent"])
    assert "Sender domain" in row and "Discard" in row
    rules = {r["value"]: r for r in d.api.get("/security-rules")}
    assert (rules["192.0.2.0/24"]["list"], rules["192.0.2.0/24"]["type"], rules["192.0.2.0/24"]["action"]) == ("white", "cidr", None)
    assert (rules["spam.test"]["type"], rules["spam.test"]["action"]) == ("domain", "discard")
    shots(b, "security-rules")
    # Blocks: listed with since/until, lifted after confirmation.
    d.api.post("/blocks", {"ip": "198.51.100.7", "reason": "test"})
    go(b, "#/blocks")
    b.page(["locator", "#blocks-table tbody tr", {"hasText": "198.51.100.7"}], ["waitFor"])
    assert "Until unblocked" in b.page(["locator", "#blocks-table tbody tr", {"hasText": "198.51.100.7"}], ["textContent"])
    b.page(["getByRole", "button", {"name": "Delete 198.51.100.7"}], ["click"])
    confirm_dialog(b)
    b.page(["locator", "#blocks-table tbody tr", {"hasText": "198.51.100.7"}], ["waitFor", {"state": "detached"}])
    assert "198.51.100.7" not in [x["ip"] for x in d.api.get("/blocks")]


def test_spf_cache_listed_and_flushed(mailserver, browser, shots):
    """The SPF cache shows ip, domain, result and expiry; Flush (confirmed) empties it."""
    from admin_api import AdminApi, start_admin
    from dns_server import DnsServer
    from security_helpers import mail_rcpt
    with DnsServer([("pass.test", "TXT", "v=spf1 ip4:127.0.0.10 -all")]) as dns:
        d = start_admin(mailserver, dns__nameservers=dns.nameserver, spf__verify_mail_from="true")
        d.url = f"http://127.0.0.1:{d.ports['admin_plain']}/"
        d.api = AdminApi(d)
        d.api.login()
        assert mail_rcpt(d, "127.0.0.10", "someone@pass.test", "alice@example.test")[0][0] == 250
        b = browser
        signed_in(b, d, "#/delivery/spf")
        row = ["locator", "#spfcache-table tbody tr", {"hasText": "pass.test"}]
        b.page(row, ["waitFor"])
        text = b.page(row, ["textContent"])
        assert "127.0.0.10" in text and "pass" in text
        shots(b, "spf-cache")
        b.page(["locator", "#spf-flush"], ["click"])
        confirm_dialog(b)
        b.page(["getByText", "SPF cache flushed (1 removed)."], ["waitFor"])
        b.page(row, ["waitFor", {"state": "detached"}])
        assert d.api.get("/spf/cache") == []


def test_dkim_key_generated_in_the_panel_shows_its_record(admin_daemon, browser, shots):
    d, b = admin_daemon, browser
    signed_in(b, d, "#/signing")
    b.page(["locator", "#dkim-domain"], ["waitFor"])
    add(b, "dkim", {"domain": "example.test", "selector": "panel1"}, button="Generate a key")
    row = ["locator", "#dkim-table tbody tr", {"hasText": "panel1._domainkey.example.test"}]
    b.page(row, ["waitFor"])
    assert "v=DKIM1; k=rsa; p=" in b.page(row, ["textContent"])
    shots(b, "signing")
    # The key is the one the CLI shows, and mail from the LAN is now signed with it.
    assert "panel1._domainkey.example.test" in d.cli("dkim", "show", "example.test").stdout
    with d.smtp(source="127.0.0.2") as s:
        s.sendmail("alice@example.test", ["bob@example.test"],
                   "From: alice@example.test\r\nTo: bob@example.test\r\nSubject: signed in the panel\r\n\r\nhi\r\n")
    assert b"d=example.test" in d.wait_messages("bob@example.test", 1)[0]
    # Deleting asks first, then the key is gone.
    b.page(["getByRole", "button", {"name": "Delete example.test"}], ["click"])
    confirm_dialog(b)
    b.page(row, ["waitFor", {"state": "detached"}])
    assert d.api.get("/dkim/keys") == []

"""Browser tests of the control panel (ui/) against the real daemon, in headless chromium.

Run: scripts/build-ui.sh && /usr/bin/python3 -m pytest -q tests/ui
Screenshots of each page land in tests/ui/artifacts/."""
import json
import smtplib
import socket
import time

import pytest

from conftest import ADMIN_PASSWORD

SECTIONS = ["overview", "accounts", "delivery", "certificate", "mtaSts", "signing", "queue", "logs", "blocks", "system"]
DELIVERY_TABS = ["general", "delivery", "relay", "security", "spf"]
LOG_TABS = ["smtp", "delivery", "auth", "daemon"]


def sign_in(b, daemon, password=ADMIN_PASSWORD, query=""):
    b.page(["goto", daemon.url + query])
    b.page(["locator", "#signin-password"], ["fill", password])
    b.page(["locator", "#signin-password"], ["press", "Enter"])


def heading(b):
    return b.page(["locator", "main h1"], ["first"], ["textContent"])


def wait_heading(b, text):
    b.page(["locator", "main h1", {"hasText": text}], ["first"], ["waitFor"])


def go(b, hash_):
    b.page(["evaluate", f"() => {{ location.hash = {json.dumps(hash_)}; }}"])


def table_rows(b, table_id):
    return b.page(["locator", f"#{table_id} tbody tr"], ["allTextContents"])


def confirm_dialog(b):
    b.page(["locator", "dialog.confirm"], ["waitFor"])
    b.page(["locator", "dialog.confirm button.danger"], ["click"])


def test_sign_in_overview_and_every_page(admin_daemon, browser, shots):
    b = browser
    b.new_page()
    b.page(["goto", admin_daemon.url])
    b.page(["locator", "#signin-password"], ["waitFor"])
    shots(b, "signin")
    # A wrong password is refused with a message beside the field; the page stays.
    b.page(["locator", "#signin-password"], ["fill", "not-the-password"])
    b.page(["getByRole", "button", {"name": "Sign in"}], ["click"])
    assert b.page(["locator", "#signin-error"], ["textContent"]) == "Wrong password."
    assert all("401" in e for e in b.console_errors())  # chromium logs the refused login
    b.page(["locator", "#signin-password"], ["fill", ADMIN_PASSWORD])
    b.page(["getByRole", "button", {"name": "Sign in"}], ["click"])
    wait_heading(b, "Overview")
    b.page(["getByText", "Running", {"exact": True}], ["waitFor"])
    shots(b, "overview")
    # Queue numbers and listeners come from the daemon.
    assert b.page(["locator", "[data-test=queue-total]"], ["textContent"]) == "0"
    ports = b.page(["locator", "#ov-ports ~ div table tbody"], ["textContent"])
    assert f"127.0.0.1:{admin_daemon.ports['smtp']}" in ports
    assert f"Forward Internet port 25 to port {admin_daemon.ports['smtp']} of this NAS" in ports
    # network.lan is 127.0.0.2/32: no "no LAN subnet" warning, the certificate is self-signed.
    warnings = b.page(["locator", ".warnings li"], ["evaluateAll", "els => els.map(e => e.dataset.warning)"])
    assert "warn.noLan" not in warnings and "warn.selfSigned" in warnings
    for section in SECTIONS[1:]:
        b.page(["locator", f"nav.sections a[href='#/{section}']"], ["click"])
        b.page(["locator", f"nav.sections a[href='#/{section}'][aria-current=page]"], ["waitFor"])
        b.page(["waitForLoadState", "networkidle"])
        shots(b, section)
    for tab in DELIVERY_TABS:
        go(b, f"#/delivery/{tab}")
        b.page(["waitForLoadState", "networkidle"])
        shots(b, f"delivery-{tab}")
    # No CSP violation, no script error on any page.
    assert b.console_errors() == []


def test_overview_warns_without_lan_subnet(mailserver, browser):
    from admin_api import start_admin
    d = mailserver(start=False)
    d.set(network__lan="127.0.0.0/8")  # the built-in default: loopback only
    d = start_admin(lambda **kw: d)
    d.url = f"http://127.0.0.1:{d.ports['admin_plain']}/"
    browser.new_page()
    sign_in(browser, d)
    browser.page(["locator", "[data-warning='warn.noLan']"], ["waitFor"])
    assert "warn.authOnly" in browser.page(["locator", ".warnings li"], ["evaluateAll", "els => els.map(e => e.dataset.warning)"])


def test_keyboard_only_sign_in_and_navigation(admin_daemon, browser):
    b = browser
    b.new_page()
    b.page(["goto", admin_daemon.url])
    b.page(["locator", "#signin-password"], ["waitFor"])
    # The password field has the focus on arrival; typing and Enter sign in.
    assert b.page(["evaluate", "() => document.activeElement.id"]) == "signin-password"
    b.page(["keyboard"], ["type", ADMIN_PASSWORD])
    b.page(["keyboard"], ["press", "Enter"])
    wait_heading(b, "Overview")
    # Tab order: skip link, language, sign out, then the sections; Enter follows a link.
    for _ in range(20):
        b.page(["keyboard"], ["press", "Tab"])
        if b.page(["evaluate", "() => document.activeElement.getAttribute('href')"]) == "#/queue":
            break
    else:
        pytest.fail("the Queue link is not reachable with Tab")
    b.page(["keyboard"], ["press", "Enter"])
    wait_heading(b, "Queue")
    # Every input of a settings page has a label.
    go(b, "#/delivery/general")
    b.page(["locator", "#set-network-lan"], ["waitFor"])
    unlabelled = b.page(["evaluate", """() => [...document.querySelectorAll('main input, main select, main textarea')]
        .filter(e => !(e.labels && e.labels.length) && !e.getAttribute('aria-label')).map(e => e.id || e.name)"""])
    assert unlabelled == []


def test_session_expiry_returns_to_sign_in(admin_daemon, browser):
    b = browser
    b.new_page()
    sign_in(b, admin_daemon)
    wait_heading(b, "Overview")
    # Restarting the daemon ends every session: the next call gets 401.
    admin_daemon.stop()
    admin_daemon.start()
    wait_port(admin_daemon.ports["admin_plain"])
    go(b, "#/queue")
    b.page(["getByText", "Your session has ended. Sign in again to continue."], ["waitFor"])
    b.page(["locator", "#signin-password"], ["fill", ADMIN_PASSWORD])
    b.page(["locator", "#signin-password"], ["press", "Enter"])
    wait_heading(b, "Queue")


def wait_until(check, what, timeout=20):
    deadline = time.time() + timeout
    while not check():
        if time.time() > deadline:
            raise AssertionError(f"timed out waiting until {what}")
        time.sleep(0.05)


def wait_port(port, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"port {port} not listening")


def relay_reply(daemon, source):
    """The RCPT reply for a remote recipient from `source`, without authentication."""
    with daemon.smtp(source=source) as s:
        s.ehlo("client.test")
        s.mail("device@example.test")
        code, msg = s.rcpt("someone@elsewhere.test")
        s.rset()
    return code, msg.decode()


def test_lan_subnet_setting_lets_a_client_relay(admin_daemon, browser, shots):
    d = admin_daemon
    assert relay_reply(d, "127.0.0.4")[0] >= 500  # outside the LAN: no relay
    b = browser
    b.new_page()
    sign_in(b, d)
    wait_heading(b, "Overview")
    go(b, "#/delivery/general")
    field = ["getByLabel", "Local networks (LAN subnets)"]
    b.page(field, ["waitFor"])
    assert b.page(field, ["inputValue"]) == "127.0.0.2/32"
    # A bad value: the API's error shows beside the field and the old setting stays.
    b.page(field, ["fill", "127.0.0.2/32,not-a-network"])
    b.page(["locator", "form.settings", {"has": b_locator("#set-network-lan")}], ["getByRole", "button", {"name": "Apply"}], ["click"])
    b.page(["locator", "#set-network-lan-error"], ["waitFor"])
    assert b.page(["locator", "#set-network-lan"], ["getAttribute", "aria-invalid"]) == "true"
    shots(b, "field-error")
    assert d.api.get("/settings")["settings"]["network.lan"] == "127.0.0.2/32"
    # The good value is applied and takes effect over SMTP.
    reloads = d.reloads()
    b.page(field, ["fill", "127.0.0.2/32, 127.0.0.4/32"])
    b.page(["locator", "form.settings", {"has": b_locator("#set-network-lan")}], ["getByRole", "button", {"name": "Apply"}], ["click"])
    b.page(["locator", "form.settings", {"has": b_locator("#set-network-lan")}], ["getByText", "Saved.", {"exact": True}], ["waitFor"])
    wait_until(lambda: d.reloads() > reloads, "the daemon reloads its settings")
    code, msg = relay_reply(d, "127.0.0.4")
    assert code == 250, msg


def b_locator(selector):
    """A locator as an argument (the {has: ...} option): the driver makes page.locator(selector)."""
    return {"$locator": selector}


def test_smart_host_rule_editor(admin_daemon, browser, shots):
    d = admin_daemon
    b = browser
    b.new_page()
    sign_in(b, d)
    wait_heading(b, "Overview")
    go(b, "#/delivery/delivery")
    b.page(["getByLabel", "Delivery type"], ["selectOption", "rules"])
    b.page(["getByRole", "heading", {"name": "Smart host list"}], ["waitFor"])
    # Missing fields are pointed at before anything is sent.
    b.page(["getByRole", "button", {"name": "Create rule"}], ["click"])
    assert b.page(["locator", "#rules-name-error"], ["textContent"]) == "Required."
    b.page(["locator", "#rules-name"], ["fill", "partners"])
    b.page(["locator", "#rules-kind"], ["selectOption", "sender"])
    b.page(["locator", "#rules-patterns"], ["fill", "sales@example.test\nexample.test"])
    b.page(["locator", "#rules-host"], ["fill", "127.0.0.1"])
    b.page(["locator", "#rules-port"], ["fill", "2525"])
    b.page(["locator", "#rules-tls"], ["selectOption", "opportunistic"])
    b.page(["locator", "#rules-username"], ["fill", "relay-user"])
    b.page(["locator", "#rules-password"], ["fill", d.api.secret("rule-secret-99")])
    b.page(["getByRole", "button", {"name": "Create rule"}], ["click"])
    b.page(["locator", "#rules-table tbody tr", {"hasText": "partners"}], ["waitFor"])
    row = table_rows(b, "rules-table")[0]
    assert "Sender rule" in row and "127.0.0.1:2525" in row and "rule-secret-99" not in row
    shots(b, "rule-created")
    rules = d.api.get("/relay-rules")
    assert [(r["name"], r["kind"], r["patterns"], r["host"], r["port"], r["tls"], r["username"], r["password_set"])
            for r in rules] == [("partners", "sender", ["sales@example.test", "example.test"], "127.0.0.1", 2525,
                                 "opportunistic", "relay-user", True)]
    # Apply the delivery mode; the rule is used from now on.
    b.page(["locator", "form.settings", {"has": b_locator("#set-delivery-mode")}], ["getByRole", "button", {"name": "Apply"}], ["click"])
    b.page(["locator", "form.settings", {"has": b_locator("#set-delivery-mode")}], ["getByText", "Saved.", {"exact": True}], ["waitFor"])
    assert d.api.get("/settings")["settings"]["delivery.mode"] == "rules"
    # Delete asks first; cancelling keeps the rule.
    b.page(["getByRole", "button", {"name": "Delete partners"}], ["click"])
    b.page(["locator", "dialog.confirm"], ["getByRole", "button", {"name": "Cancel"}], ["click"])
    assert len(d.api.get("/relay-rules")) == 1


def queue_message(d, to):
    with d.smtp(source="127.0.0.2") as s:  # the LAN relays without auth
        s.sendmail("alice@example.test", [to], f"From: alice@example.test\r\nTo: {to}\r\nSubject: queued\r\n\r\nwaiting\r\n")


def test_queue_hold_release_and_delete(admin_daemon, browser, shots):
    d = admin_daemon
    queue_message(d, "far@elsewhere.test")  # the smart host refuses connections: it waits
    queue_message(d, "other@elsewhere.test")
    b = browser
    b.new_page()
    sign_in(b, d)
    wait_heading(b, "Overview")
    go(b, "#/queue")
    b.page(["locator", "#queue-table tbody tr", {"hasText": "far@elsewhere.test"}], ["waitFor"])
    assert len(table_rows(b, "queue-table")) == 2
    # Filter by text.
    b.page(["getByLabel", "Sender, recipient or ID contains"], ["fill", "far@"])
    b.page(["getByRole", "button", {"name": "Filter"}], ["click"])
    b.page(["locator", "#queue-table tbody tr", {"hasText": "other@elsewhere.test"}], ["waitFor", {"state": "detached"}])
    row = ["locator", "#queue-table tbody tr", {"hasText": "far@elsewhere.test"}]
    msg_id = b.page(row, ["getAttribute", "data-id"])
    # Hold, then release.
    b.page(row, ["getByRole", "button", {"name": "Hold"}], ["click"])
    b.page(row, ["getByRole", "button", {"name": "Release"}], ["waitFor"])
    assert [e["held"] for e in d.api.get("/queue") if e["id"] == msg_id] == [True]
    b.page(row, ["getByRole", "button", {"name": "Release"}], ["click"])
    b.page(row, ["getByRole", "button", {"name": "Hold"}], ["waitFor"])
    shots(b, "queue")
    # Delete is confirmed, then the message is gone from the daemon's queue.
    b.page(row, ["getByRole", "button", {"name": f"Delete {msg_id}"}], ["click"])
    confirm_dialog(b)
    b.page(["getByText", "The queue is empty."], ["waitFor"])
    left = d.api.get("/queue")
    assert [e["recipient"] for e in left] == ["other@elsewhere.test"]


def test_auth_failure_log_and_block(admin_daemon, browser, shots):
    """An SMTP AUTH failure from 127.0.0.5 on the submission port is listed under the
    authentication failures (GET /auth-failures); "Block this IP" (confirmed) calls
    POST /auth-failures/block and the next connection from 127.0.0.5 is refused."""
    d = admin_daemon
    with d.smtp("submission", source="127.0.0.5") as s:
        s.ehlo("client.test")
        s.starttls()
        s.ehlo("client.test")
        with pytest.raises(smtplib.SMTPAuthenticationError):
            s.login("alice@example.test", "wrong-password-1")
    d.wait_log("auth.log", r"ip=127\.0\.0\.5")
    b = browser
    b.new_page()
    sign_in(b, d)
    wait_heading(b, "Overview")
    go(b, "#/logs/auth")
    row = ["locator", "#auth-failures tbody tr[data-ip='127.0.0.5']"]
    b.page(row, ["first"], ["waitFor"])
    text = b.page(row, ["first"], ["textContent"])
    assert "alice@example.test" in text and "bad-credentials" in text and "LOGIN" in text
    shots(b, "auth-log")
    b.page(row, ["first"], ["getByRole", "button", {"name": "Block 127.0.0.5"}], ["click"])
    confirm_dialog(b)
    b.page(["getByText", "127.0.0.5 is blocked."], ["waitFor"])
    rules = d.api.get("/security-rules")
    assert [(r["list"], r["type"], r["action"]) for r in rules if r["value"] == "127.0.0.5"] == [("black", "ip", "reject")]
    # The next connection from 127.0.0.5 is refused; another address still gets in.
    with socket.create_connection(("127.0.0.1", d.ports["submission"]), timeout=10, source_address=("127.0.0.5", 0)) as c:
        assert c.makefile("rb").readline().startswith(b"554")
    with socket.create_connection(("127.0.0.1", d.ports["submission"]), timeout=10, source_address=("127.0.0.6", 0)) as c:
        assert c.makefile("rb").readline().startswith(b"220")

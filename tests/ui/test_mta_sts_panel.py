"""The MTA-STS section of the control panel: the admin chooses the published mode and MX
hosts, the panel shows the policy the daemon serves at /.well-known/mta-sts.txt (fetched here
without a session, as a sending server would) and, per hosted domain, the DNS records whose
id matches that policy."""
import http.client

from test_panel import b_locator, go, sign_in, wait_heading, wait_until


def served_policy(d):
    conn = http.client.HTTPConnection("127.0.0.1", d.ports["admin_plain"], timeout=30)
    try:
        conn.request("GET", "/.well-known/mta-sts.txt", headers={"Host": "mta-sts.example.test"})
        res = conn.getresponse()
        return res.status, res.getheader("Content-Type"), res.read().decode()
    finally:
        conn.close()


def test_publish_enforce_policy_and_records(admin_daemon, browser, shots):
    d, b = admin_daemon, browser
    b.new_page()
    sign_in(b, d)
    wait_heading(b, "Overview")
    go(b, "#/mtaSts")
    wait_heading(b, "MTA-STS policy")
    form = ["locator", "form.settings", {"has": b_locator("#set-mta-sts-publish-mode")}]
    mx = ["getByLabel", "MX hosts in the policy"]
    # A value that is no host name: the API's error beside the field, nothing changes.
    b.page(mx, ["fill", "not a host"])
    b.page(form, ["getByRole", "button", {"name": "Apply"}], ["click"])
    b.page(["locator", "#set-mta-sts-publish-mx-error"], ["waitFor"])
    assert d.api.get("/settings")["settings"]["mta_sts_publish.mx"] == ""
    old_id = d.api.get("/mta-sts")["id"]

    b.page(["getByLabel", "Published MTA-STS mode"], ["selectOption", "enforce"])
    b.page(mx, ["fill", "mail.example.test, *.backup.example.test"])
    b.page(form, ["getByRole", "button", {"name": "Apply"}], ["click"])
    b.page(form, ["getByText", "Saved.", {"exact": True}], ["waitFor"])
    wait_until(lambda: "mode: enforce" in b.page(["locator", "#sts-policy-text"], ["textContent"]),
               "the panel shows the new policy")

    status, ctype, body = served_policy(d)
    assert status == 200 and ctype == "text/plain"
    lines = body.split("\r\n")
    assert lines[:2] == ["version: STSv1", "mode: enforce"]
    assert [l for l in lines if l.startswith("mx: ")] == ["mx: mail.example.test", "mx: *.backup.example.test"]
    # The panel shows exactly what is served, and the id in the TXT record is the policy's.
    shown = b.page(["locator", "#sts-policy-text"], ["textContent"])
    assert shown.replace("\r\n", "\n") == body.replace("\r\n", "\n")
    new_id = b.page(["locator", "#sts-id"], ["textContent"])
    assert new_id != old_id and new_id == d.api.get("/mta-sts")["id"]
    txt = b.page(["locator", "#sts-example\\.test ~ table tr[data-type=TXT]"], ["first"], ["textContent"])
    assert "_mta-sts.example.test" in txt and f"v=STSv1; id={new_id}" in txt
    tlsrpt = b.page(["locator", "#sts-example\\.test ~ table tr[data-type=TXT]"], ["nth", 1], ["textContent"])
    assert "_smtp._tls.example.test" in tlsrpt and "v=TLSRPTv1; rua=mailto:postmaster@example.test" in tlsrpt
    # The generated certificate is self-signed and names no MX host: the panel says so.
    warnings = b.page(["locator", ".note-warn li"], ["allTextContents"])
    assert any("self-signed" in w for w in warnings)
    shots(b, "mta-sts")
    assert all("400" in e for e in b.console_errors())  # only the refused MX value above

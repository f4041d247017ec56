"""Publishing an MTA-STS policy (RFC 8461) for the hosted domains: the admin port serves
/.well-known/mta-sts.txt without a session as text/plain, the policy follows the settings,
its id changes with it, the records the API shows carry the served policy's id, and the
policy-only listener (mta_sts_publish.listen) answers nothing else."""
import http.client
import re
import subprocess

from admin_api import AdminApi, start_admin
from conftest import free_port, tls_context

POLICY_PATH = "/.well-known/mta-sts.txt"


def fetch(port, host, method="GET", path=POLICY_PATH):
    """As a sending MTA would: HTTPS, no cookie, Host mta-sts.DOMAIN."""
    conn = http.client.HTTPSConnection("127.0.0.1", port, context=tls_context(), timeout=30)
    try:
        conn.request(method, path, headers={"Host": host})
        res = conn.getresponse()
        return res.status, res.getheader("Content-Type"), res.read().decode()
    finally:
        conn.close()


def parse_policy(text):
    """RFC 8461 §3.2: key: value lines, CRLF (or LF) separated; mx may repeat."""
    fields = {"mx": []}
    for line in re.split(r"\r?\n", text):
        if not line:
            continue
        m = re.fullmatch(r"([A-Za-z0-9_]+):[ \t]*([\x21-\x7e]+)[ \t]*", line)
        assert m, f"not a policy line: {line!r}"
        key, value = m.groups()
        if key == "mx":
            fields["mx"].append(value)
        else:
            assert key not in fields, f"{key} twice"
            fields[key] = value
    return fields


def records_of(api, domain):
    [entry] = [d for d in api.get("/mta-sts")["domains"] if d["domain"] == domain]
    return {(r["name"], r["type"]): r["value"] for r in entry["records"]}, entry


def test_policy_served_without_session_and_records_match(mailserver):
    d = start_admin(mailserver, mta_sts_publish__mode="testing",
                    mta_sts_publish__mx="mail.example.test,*.backup.example.test", mta_sts_publish__max_age="1d")
    api = AdminApi(d)
    status, ctype, body = fetch(d.ports["admin"], "mta-sts.example.test")
    assert status == 200 and ctype == "text/plain", (status, ctype, body)
    assert body.endswith("\r\n") and body.startswith("version: STSv1\r\n")
    policy = parse_policy(body)
    assert policy == {"version": "STSv1", "mode": "testing", "mx": ["mail.example.test", "*.backup.example.test"],
                      "max_age": "86400"}
    # The same with curl, resolving mta-sts.example.test to the daemon as DNS would.
    res = subprocess.run(["curl", "-sSk", "--resolve", f"mta-sts.example.test:{d.ports['admin']}:127.0.0.1",
                          "-w", "\n%{content_type}", f"https://mta-sts.example.test:{d.ports['admin']}{POLICY_PATH}"],
                         capture_output=True, timeout=30)  # bytes: keep the CRLFs
    assert res.returncode == 0, res.stderr
    assert res.stdout.decode() == body + "\ntext/plain"

    # The API (with a session) shows the same policy and, per domain, the records to add.
    status, _, _ = api.raw("GET", "/api/v1/mta-sts")
    assert status == 401
    api.login()
    pub = api.get("/mta-sts")
    assert pub["policy"] == body and pub["mode"] == "testing" and pub["max_age"] == 86400
    assert re.fullmatch(r"[A-Za-z0-9]{1,32}", pub["id"])
    records, entry = records_of(api, "example.test")
    assert entry["policy_url"] == "https://mta-sts.example.test/.well-known/mta-sts.txt"
    assert records[("_mta-sts.example.test", "TXT")] == f"v=STSv1; id={pub['id']}"
    assert records[("_smtp._tls.example.test", "TXT")] == "v=TLSRPTv1; rua=mailto:postmaster@example.test"
    assert records[("mta-sts.example.test", "CNAME")] == "mail.example.test."
    assert records[("example.test", "MX")] == "10 mail.example.test."
    # The seed certificate is self-signed: the API warns before the admin enforces.
    assert any("self-signed" in w for w in pub["warnings"])

    # A change of policy changes what is served and the id to publish; a new domain gets records.
    old_id = pub["id"]
    api.patch("/settings", {"mta_sts_publish.mode": "enforce", "mta_sts_publish.report_to": "tls@example.test"})
    api.post("/domains", {"name": "second.test"})
    status, _, body2 = fetch(d.ports["admin"], "mta-sts.second.test")
    assert status == 200 and parse_policy(body2)["mode"] == "enforce"
    pub2 = api.get("/mta-sts")
    assert pub2["policy"] == body2 and pub2["id"] != old_id
    records2, _ = records_of(api, "second.test")
    assert records2[("_mta-sts.second.test", "TXT")] == f"v=STSv1; id={pub2['id']}"
    assert records2[("_smtp._tls.second.test", "TXT")] == "v=TLSRPTv1; rua=mailto:tls@example.test"

    # A domain not hosted here has no policy; only GET and HEAD are answered.
    assert fetch(d.ports["admin"], "mta-sts.elsewhere.test")[0] == 404
    assert fetch(d.ports["admin"], "mta-sts.example.test", method="POST")[0] == 405
    head = fetch(d.ports["admin"], "mta-sts.example.test", method="HEAD")
    assert head[0] == 200 and head[2] == ""
    # Bad settings are refused with the field named, the policy stays.
    status, _, data = api.raw("PATCH", "/api/v1/settings", {"mta_sts_publish.mx": "mail.example.test,not a host"})
    assert status == 400 and data["field"] == "mta_sts_publish.mx", data
    status, _, data = api.raw("PATCH", "/api/v1/settings", {"mta_sts_publish.max_age": "2y"})
    assert status == 400 and data["field"] == "mta_sts_publish.max_age", data
    assert fetch(d.ports["admin"], "mta-sts.example.test")[2] == body2


def test_policy_only_listener_serves_nothing_else(mailserver):
    port = free_port()
    d = start_admin(mailserver, mta_sts_publish__mode="enforce", mta_sts_publish__listen=f"127.0.0.1:{port}")
    status, ctype, body = fetch(port, "mta-sts.example.test")
    assert status == 200 and ctype == "text/plain" and parse_policy(body)["mode"] == "enforce"
    assert fetch(port, "mta-sts.example.test", method="POST", path="/api/v1/login")[0] == 404
    assert fetch(port, "mta-sts.example.test", path="/api/v1/session")[0] == 404
    assert fetch(port, "mta-sts.example.test", path="/")[0] == 404
    # The admin port itself still serves the panel's API.
    assert fetch(d.ports["admin"], "x", path="/api/v1/session")[0] == 401


def dig(dns, name, rtype):
    res = subprocess.run(["dig", "+short", "-p", str(dns.port), "@" + dns.address, name, rtype],
                         capture_output=True, text=True, timeout=30)
    assert res.returncode == 0, res.stderr
    return [line.strip().strip('"') for line in res.stdout.splitlines() if line.strip()]


def test_records_as_published_lead_a_sender_to_the_served_policy(mailserver):
    """The admin copies the records the API shows into a real DNS server (dnsmasq); a sender
    then finds the policy id in _mta-sts, the policy host through mta-sts.DOMAIN, fetches
    the policy there, and the MX it finds is one the policy allows."""
    from dns_server import DnsServer
    d = start_admin(mailserver, mta_sts_publish__mode="enforce")
    api = AdminApi(d)
    api.login()
    pub = api.get("/mta-sts")
    records, _ = records_of(api, "example.test")
    zone = [("mail.example.test", "A", "127.0.0.1")]  # the NAS's own name, already in DNS
    for (name, rtype), value in records.items():
        if rtype == "MX":
            preference, host = value.split()
            zone.append((name, "MX", int(preference), host.rstrip(".")))
        elif rtype == "CNAME":
            zone.append((name, "CNAME", value.rstrip(".")))
        else:
            zone.append((name, rtype, value))
    with DnsServer(zone) as dns:
        [txt] = dig(dns, "_mta-sts.example.test", "TXT")
        m = re.fullmatch(r"v=STSv1; id=([A-Za-z0-9]{1,32})", txt)
        assert m and m.group(1) == pub["id"]
        assert dig(dns, "_smtp._tls.example.test", "TXT") == ["v=TLSRPTv1; rua=mailto:postmaster@example.test"]
        address = dig(dns, "mta-sts.example.test", "A")[-1]  # through the CNAME
        mx_hosts = [line.split()[1].rstrip(".") for line in dig(dns, "example.test", "MX")]
    res = subprocess.run(["curl", "-sSk", "--resolve", f"mta-sts.example.test:{d.ports['admin']}:{address}",
                          f"https://mta-sts.example.test:{d.ports['admin']}{POLICY_PATH}"],
                         capture_output=True, timeout=30)
    assert res.returncode == 0, res.stderr
    body = res.stdout.decode()
    assert body == pub["policy"]
    policy = parse_policy(body)
    assert policy["mode"] == "enforce" and mx_hosts == ["mail.example.test"]
    assert all(mx in policy["mx"] for mx in mx_hosts)

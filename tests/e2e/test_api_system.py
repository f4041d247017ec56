"""Logs, the TLS certificate (show, generate, upload PEM) and ports through the admin API.
A new certificate is served at once by the SMTP listeners and the admin HTTPS server;
the private key never comes back."""
import socket
import ssl
import subprocess
import time




def make_pair(tmp_path, name, cn):
    key, cert = tmp_path / f"{name}.key", tmp_path / f"{name}.crt"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "30", "-subj", f"/CN={cn}",
                    "-addext", f"subjectAltName=DNS:{cn}", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert.read_text(), key.read_text()


def served_pem(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with ctx.wrap_socket(raw) as tls:
            return ssl.DER_cert_to_PEM_cert(tls.getpeercert(binary_form=True)).strip()


def wait_served(port, pem, timeout=20):
    deadline = time.time() + timeout
    while True:
        try:
            if served_pem(port) == pem.strip():
                return
        except OSError:
            pass  # the admin web server restarts with the new certificate
        assert time.time() < deadline, f"port {port} never served the new certificate"
        time.sleep(0.1)


def test_logs_paged_and_filtered(admin):
    d, api = admin
    assert api.get("/logs") == {"logs": ["smtp", "delivery", "auth", "daemon"]}
    for i in range(3):
        with d.smtp() as s:
            s.sendmail(f"sender{i}@outside.test", ["alice@example.test"], b"Subject: x\r\n\r\ny\r\n")
    d.wait_messages("alice@example.test", 3)
    page = api.get("/logs/daemon?limit=2")
    assert len(page["lines"]) == 2 and page["total"] > 2
    assert "admin panel listening" in " ".join(api.get("/logs/daemon?limit=1000")["lines"])
    smtp = api.get("/logs/smtp?q=sender1%40outside.test")
    assert smtp["total"] >= 1 and all("sender1@outside.test" in line for line in smtp["lines"])
    newest_first = api.get("/logs/smtp?limit=1000")["lines"]
    assert newest_first[0] >= newest_first[-1]  # ISO timestamps sort as text
    second = api.get("/logs/smtp?offset=1&limit=1")["lines"]
    assert second == newest_first[1:2]
    status, _, data = api.raw("GET", "/api/v1/logs/secret-file")
    assert status == 404
    status, _, data = api.raw("GET", "/api/v1/logs/smtp?limit=0")
    assert status == 400 and data["field"] == "limit"
    status, _, data = api.raw("GET", "/api/v1/logs/smtp?offset=-3")
    assert status == 400 and data["field"] == "offset"


def test_certificate_upload_and_generate(admin, tmp_path):
    d, api = admin
    current = api.get("/tls/certificate")
    assert current["subject"] == "O=Postern self-signed,CN=mail.example.test" or "mail.example.test" in current["subject"]
    cert, key = make_pair(tmp_path, "new", "upload.example.test")
    api.secret(key.split("-----")[2].strip().splitlines()[1])  # a line of the key body must never come back
    other_cert, other_key = make_pair(tmp_path, "other", "other.example.test")

    status, _, data = api.raw("PUT", "/api/v1/tls/certificate", {"certificate": cert, "private_key": other_key})
    assert status == 400 and data["field"] == "private_key"
    status, _, data = api.raw("PUT", "/api/v1/tls/certificate", {"certificate": "junk", "private_key": key})
    assert status == 400 and data["field"] == "certificate"
    status, _, data = api.raw("PUT", "/api/v1/tls/certificate", {"certificate": cert})
    assert status == 400 and data["field"] == "private_key"
    assert api.get("/tls/certificate") == current  # nothing changed

    info = api.put("/tls/certificate", {"certificate": cert, "private_key": key})
    assert "upload.example.test" in info["subject"] and info["names"] == ["upload.example.test"]
    assert d.cli("config", "get", "tls.cert_file").stdout.strip().endswith("uploaded-cert.pem")
    wait_served(d.ports["submissions"], cert)
    wait_served(d.ports["admin"], cert)
    assert api.get("/tls/certificate")["sha256"] == info["sha256"]

    generated = api.post("/tls/certificate/generate")
    assert generated["self_signed"] and "mail.example.test" in generated["subject"]
    assert generated["sha256"] != info["sha256"]
    assert d.cli("config", "get", "tls.cert_file").stdout.strip() == ""
    fresh = (d.data_dir / "tls" / "cert.pem").read_text()
    wait_served(d.ports["submissions"], fresh)
    wait_served(d.ports["admin"], fresh)


def test_ports_and_router_guidance(admin):
    d, api = admin
    ports = {p["service"]: p for p in api.get("/ports")}
    assert ports["smtp"]["listen"] == [f"127.0.0.1:{d.ports['smtp']}"]
    assert ports["smtp"]["router_port"] == 25
    assert ports["smtp"]["advice"] == f"forward internet port 25 to port {d.ports['smtp']} of this NAS"
    assert ports["submission"]["router_port"] == 587 and ports["submissions"]["router_port"] == 465
    assert ports["admin"]["router_port"] is None and ports["admin"]["advice"] == "do not forward"

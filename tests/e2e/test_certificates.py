"""The certificate store (TLS-1) end to end: an imported chain is checked against its key,
put in order and served complete by SMTP, IMAP and the admin port; bad imports name the
field and leave the old certificate in force; the expiry warning 30 days ahead (API, status,
log); a new certificate reaches new connections while connections opened before it go on."""
import http.client
import re
import socket
import ssl
import subprocess
import time

from admin_api import wait_reload
from conftest import OUTSIDE_IP, tls_context


def openssl(*args, cwd):
    res = subprocess.run(["openssl", *args], cwd=cwd, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    return res


def make_chain(tmp_path, days=30, name="mail.example.test"):
    """A test CA: root -> intermediate -> leaf for `name`; returns the PEM texts."""
    w = tmp_path
    (w / "ca.ext").write_text("basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n")
    (w / "leaf.ext").write_text(f"basicConstraints=critical,CA:FALSE\nsubjectAltName=DNS:{name}\n"
                                "extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n")
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "60", "-subj", "/CN=Postern Test Root",
            "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            "-keyout", "root.key", "-out", "root.crt", cwd=w)
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=Postern Test Intermediate",
            "-keyout", "int.key", "-out", "int.csr", cwd=w)
    openssl("x509", "-req", "-in", "int.csr", "-CA", "root.crt", "-CAkey", "root.key", "-CAcreateserial",
            "-days", "50", "-extfile", "ca.ext", "-out", "int.crt", cwd=w)
    openssl("req", "-new", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
            "-keyout", "leaf.key", "-out", "leaf.csr", cwd=w)
    openssl("x509", "-req", "-in", "leaf.csr", "-CA", "int.crt", "-CAkey", "int.key", "-CAcreateserial",
            "-days", str(days), "-extfile", "leaf.ext", "-out", "leaf.crt", cwd=w)
    return {n: (w / n).read_text() for n in ("root.crt", "int.crt", "leaf.crt", "leaf.key")}


def self_signed(tmp_path, stem, cn, days=30):
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", str(days), "-subj", f"/CN={cn}",
            "-addext", f"subjectAltName=DNS:{cn}", "-keyout", f"{stem}.key", "-out", f"{stem}.crt", cwd=tmp_path)
    return (tmp_path / f"{stem}.crt").read_text(), (tmp_path / f"{stem}.key").read_text()


def leaf_pem(sock):
    return ssl.DER_cert_to_PEM_cert(sock.getpeercert(binary_form=True)).strip()


def served_leaf(port):
    with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
        with tls_context().wrap_socket(raw) as t:
            return leaf_pem(t)


def wait_leaf(port, pem, timeout=20):
    """The daemon applies a new certificate at its next settings poll (within a second)."""
    deadline = time.time() + timeout
    while served_leaf(port) != pem.strip():
        assert time.time() < deadline, f"port {port} never served the new certificate"
        time.sleep(0.1)


def verify_with_s_client(port, ca_file, starttls=None):
    """openssl s_client checks the served chain against the test root: the server must send
    leaf and intermediate, in order."""
    args = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-CAfile", str(ca_file),
            "-verify_return_error", "-verify_hostname", "mail.example.test", "-brief"]
    if starttls:
        args += ["-starttls", starttls]
    return subprocess.run(args, input="", capture_output=True, text=True, timeout=30)


def test_chain_uploaded_out_of_order_is_served_in_order(admin, tmp_path):
    d, api = admin
    c = make_chain(tmp_path)
    api.secret(c["leaf.key"].split("\n")[3])
    # Intermediate first, leaf second: the upload is put in order (leaf first).
    info = api.put("/tls/certificate", {"certificate": c["int.crt"] + c["leaf.crt"], "private_key": c["leaf.key"]})
    assert info["chain_length"] == 2
    assert info["subject"] == "CN=mail.example.test" and info["issuer"] == "CN=Postern Test Intermediate"
    assert info["names"] == ["mail.example.test"] and not info["self_signed"]
    wait_leaf(d.ports["submissions"], c["leaf.crt"])
    stored = (d.data_dir / "tls" / "uploaded-cert.pem").read_text()
    assert stored.index(c["leaf.crt"].strip()) < stored.index(c["int.crt"].strip())
    for port, starttls in ((d.ports["submissions"], None), (d.ports["submission"], "smtp"),
                           (d.ports["imaps"], None), (d.ports["imap"], "imap"), (d.ports["admin"], None)):
        res = verify_with_s_client(port, tmp_path / "root.crt", starttls)
        assert res.returncode == 0 and "Verification: OK" in res.stderr, (port, res.stderr[-800:])


def test_bad_uploads_name_the_field_and_keep_the_certificate(admin, tmp_path):
    d, api = admin
    before = api.get("/tls/certificate")
    served = served_leaf(d.ports["submissions"])
    c = make_chain(tmp_path)
    other_cert, other_key = self_signed(tmp_path, "other", "other.example.test")
    api.secret(c["leaf.key"].split("\n")[3])
    api.secret(other_key.split("\n")[3])
    cases = [
        ({"certificate": c["leaf.crt"] + c["int.crt"], "private_key": other_key}, "private_key", "matches none"),
        ({"certificate": c["leaf.crt"], "private_key": other_key}, "private_key", "does not match"),
        ({"certificate": c["leaf.crt"] + other_cert, "private_key": c["leaf.key"]}, "certificate",
         "'CN=other.example.test' is not an issuer in the chain of 'CN=mail.example.test'"),
        ({"certificate": "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n",
          "private_key": c["leaf.key"]}, "certificate", "no PEM certificate"),
        ({"certificate": c["leaf.crt"], "private_key": "junk"}, "private_key", "no PEM private key"),
    ]
    for body, field, message in cases:
        status, _, data = api.raw("PUT", "/api/v1/tls/certificate", body)
        assert status == 400 and data["field"] == field and message in data["error"], data
    # Another CA's intermediate of the same name did not issue this leaf (key ids, signature).
    forged = tmp_path / "forged"
    forged.mkdir()
    f = make_chain(forged)
    status, _, data = api.raw("PUT", "/api/v1/tls/certificate",
                              {"certificate": c["leaf.crt"] + f["int.crt"], "private_key": c["leaf.key"]})
    assert status == 400 and data["field"] == "certificate" and "'CN=Postern Test Intermediate'" in data["error"], data
    assert api.get("/tls/certificate") == before
    assert served_leaf(d.ports["submissions"]) == served
    assert d.cli("config", "get", "tls.cert_file").stdout.strip() == ""


def test_expiry_warning_in_api_status_and_log(admin, tmp_path):
    d, api = admin
    cert, key = self_signed(tmp_path, "long", "mail.example.test", days=90)
    api.secret(key.split("\n")[3])
    offset = len(d.log("postern.log"))
    reloads = d.reloads()
    info = api.put("/tls/certificate", {"certificate": cert, "private_key": key})
    assert info["days_left"] in (89, 90) and info["expiry_warning"] is None
    wait_leaf(d.ports["submissions"], cert)
    status = api.get("/status")["certificate"]
    assert status["not_after"] == info["not_after"] and status["days_left"] in (89, 90)
    assert status["expiry_warning"] is None
    wait_reload(d, reloads)  # logged after the certificate was loaded (and judged)
    assert "warning: the certificate" not in d.log("postern.log")[offset:]
    cert, key = self_signed(tmp_path, "short", "mail.example.test", days=10)
    api.secret(key.split("\n")[3])
    info = api.put("/tls/certificate", {"certificate": cert, "private_key": key})
    assert info["days_left"] in (9, 10)
    assert re.match(r"the certificate expires in (9|10) days \(", info["expiry_warning"]), info
    assert api.get("/status")["certificate"]["expiry_warning"] == info["expiry_warning"]
    assert "warning: the certificate expires in" in d.wait_log("postern.log", r"warning: the certificate expires").string
    # At start too.
    d.stop()
    offset = len(d.log("postern.log"))
    d.start()
    assert "warning: the certificate expires in" in d.log("postern.log")[offset:]


def smtp_starttls(d, service="smtp"):
    c = d.raw(service, source=OUTSIDE_IP)
    c.ehlo()
    assert c.cmd("STARTTLS")[0] == 220
    return c, c.starttls()


def test_new_certificate_for_new_connections_old_ones_go_on(admin, tmp_path):
    d, api = admin
    old = served_leaf(d.ports["submissions"])
    # Opened before the change: an SMTP session after STARTTLS, an IMAPS session, and an
    # admin HTTPS request whose headers are not finished yet.
    smtp, smtp_tls = smtp_starttls(d)
    imap_raw = socket.create_connection(("127.0.0.1", d.ports["imaps"]), timeout=30)
    imap = tls_context().wrap_socket(imap_raw)
    assert imap.recv(1000).startswith(b"* OK")
    admin_raw = socket.create_connection(("127.0.0.1", d.ports["admin"]), timeout=30)
    admin_tls = tls_context().wrap_socket(admin_raw)
    admin_tls.sendall(b"GET /.well-known/mta-sts.txt HTTP/1.1\r\nHost: mta-sts.example.test\r\n")
    assert leaf_pem(smtp_tls) == leaf_pem(imap) == leaf_pem(admin_tls) == old
    starts = d.log("postern.log").count("admin panel listening on")

    cert, key = self_signed(tmp_path, "next", "next.example.test")
    api.secret(key.split("\n")[3])
    api.put("/tls/certificate", {"certificate": cert, "private_key": key})
    d.wait_log("postern.log", r"TLS certificate CN=next\.example\.test")

    # New connections get the new certificate on every listener ...
    assert served_leaf(d.ports["submissions"]) == cert.strip()
    assert served_leaf(d.ports["imaps"]) == cert.strip()
    assert served_leaf(d.ports["admin"]) == cert.strip()
    c2, t2 = smtp_starttls(d)
    assert leaf_pem(t2) == cert.strip()
    c2.close()
    # ... while the old ones finish their work.
    admin_tls.sendall(b"\r\n")
    answer = b""
    while chunk := admin_tls.recv(4096):
        answer += chunk
    assert answer.startswith(b"HTTP/1.1 200") and b"version: STSv1" in answer, answer[:300]
    admin_tls.close()
    imap.sendall(b"a1 LOGIN alice@example.test alice-secret-1\r\n")
    reply = b""
    while b"a1 " not in reply:
        reply += imap.recv(4000)
    assert b"a1 OK" in reply, reply
    imap.sendall(b"a2 LOGOUT\r\n")
    imap.close()
    code, _ = smtp.cmd("EHLO client.test")
    assert code == 250
    assert smtp.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
    assert smtp.cmd("RCPT TO:<alice@example.test>")[0] == 250
    assert smtp.cmd("DATA")[0] == 354
    code, text = smtp.cmd("Subject: after reload\r\n\r\nstill here\r\n.")
    assert code == 250, text
    smtp.close()
    assert b"after reload" in d.wait_messages("alice@example.test", 1)[0]
    # The admin web server was not restarted for it.
    assert d.log("postern.log").count("admin panel listening on") == starts

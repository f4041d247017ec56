"""The TLS protocol policy of every listener: TLS 1.2 and 1.3 only, no weak suites (RC4,
3DES, export, anonymous, NULL), checked with openssl s_client and with ClientHellos written
here byte by byte (today's clients cannot even offer export suites); and the compatibility
switch for old LAN scanners and printers: TLS 1.0/1.1 on the submission listeners, for
network.lan clients only, off by default."""
import os
import socket
import ssl
import struct
import subprocess
import warnings

import pytest

from conftest import LAN_IP, OUTSIDE_IP, tls_context


def s_client(port, *args, starttls=None):
    cmd = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-brief", *args]
    if starttls:
        cmd += ["-starttls", starttls]
    return subprocess.run(cmd, input="", capture_output=True, text=True, timeout=30)


def handshake_ok(res):
    return res.returncode == 0 and "Protocol version:" in res.stderr


def client_hello(suites):
    """A TLS 1.2 ClientHello offering only `suites` (2-byte ids), with the extensions an
    ECDHE/RSA server needs to pick one."""
    ext = b""
    groups = struct.pack("!HHHH", 6, 0x001d, 0x0017, 0x0018)  # x25519, P-256, P-384
    ext += struct.pack("!HH", 0x000a, len(groups)) + groups
    ext += struct.pack("!HHBB", 0x000b, 2, 1, 0)  # ec_point_formats: uncompressed
    algs = [0x0401, 0x0501, 0x0601, 0x0804, 0x0805, 0x0806, 0x0201]
    body = struct.pack("!H", 2 * len(algs)) + b"".join(struct.pack("!H", a) for a in algs)
    ext += struct.pack("!HH", 0x000d, len(body)) + body
    hello = b"\x03\x03" + os.urandom(32) + b"\x00"
    hello += struct.pack("!H", 2 * len(suites)) + b"".join(struct.pack("!H", s) for s in suites)
    hello += b"\x01\x00" + struct.pack("!H", len(ext)) + ext
    handshake = b"\x01" + struct.pack("!I", len(hello))[1:] + hello
    return b"\x16\x03\x01" + struct.pack("!H", len(handshake)) + handshake


def server_answer(port, suites):
    """'hello' when the server answers with a ServerHello, 'alert' when it refuses."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(client_hello(suites))
        head = s.recv(6)
    if head[:1] == b"\x16" and head[5:6] == b"\x02":
        return "hello"
    if head[:1] == b"\x15" or head == b"":
        return "alert"
    return repr(head)


RC4 = [0x0005, 0x0004, 0xc011, 0xc007]                # RSA/ECDHE with RC4
TRIPLE_DES = [0x000a, 0xc012, 0x0016]                 # RSA/ECDHE/DHE with 3DES
EXPORT = [0x0003, 0x0006, 0x0008, 0x0014, 0x0062, 0x0064]  # RSA/DHE export suites
ANON_NULL = [0x0018, 0x001b, 0x0034, 0x0001, 0x0002, 0x003b, 0xc006]  # anonymous DH, NULL ciphers
GOOD = [0xc02f]                                       # ECDHE-RSA-AES128-GCM-SHA256


@pytest.mark.parametrize("service", ["submissions", "imaps", "admin"])
def test_weak_suites_refused_modern_accepted(mailserver, service):
    from admin_api import start_admin
    d = start_admin(mailserver) if service == "admin" else mailserver()
    port = d.ports[service]
    assert server_answer(port, GOOD) == "hello"  # control: the hello itself is sound
    for name, suites in (("RC4", RC4), ("3DES", TRIPLE_DES), ("export", EXPORT), ("anon/NULL", ANON_NULL)):
        assert server_answer(port, suites) == "alert", name
    # The same with openssl s_client where this OpenSSL can still offer the suite.
    assert not handshake_ok(s_client(port, "-tls1_2", "-cipher", "DES-CBC3-SHA:@SECLEVEL=0"))
    assert not handshake_ok(s_client(port, "-tls1_2", "-cipher", "AES128-SHA:@SECLEVEL=0"))  # no forward secrecy
    assert handshake_ok(s_client(port, "-tls1_2"))
    assert handshake_ok(s_client(port, "-tls1_3"))


@pytest.mark.parametrize("service,starttls", [("submissions", None), ("submission", "smtp"), ("smtp", "smtp"),
                                              ("imaps", None), ("imap", "imap")])
def test_tls_1_0_and_1_1_refused_by_default(mailserver, service, starttls):
    d = lan_server(mailserver, "127.0.0.1/32")  # even the LAN, while the switch is off
    for version in ("-tls1", "-tls1_1"):
        res = s_client(d.ports[service], version, "-cipher", "DEFAULT:@SECLEVEL=0", starttls=starttls)
        assert not handshake_ok(res), (version, res.stderr[-500:])
    assert handshake_ok(s_client(d.ports[service], "-tls1_2", starttls=starttls))


def lan_server(mailserver, lan, **settings):
    d = mailserver(start=False, **settings)
    d.set(network__lan=lan)
    d.start()
    return d


def old_device_handshake(port, source, version):
    """A TLS 1.0/1.1-only client (an old printer) on implicit TLS from `source`."""
    ctx = tls_context()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        ctx.minimum_version = version
        ctx.maximum_version = version
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0)) as s:
        with ctx.wrap_socket(s) as t:
            return t.version(), t.cipher()[0]


def test_legacy_switch_lets_old_lan_devices_in_on_submission_only(mailserver):
    d = lan_server(mailserver, "127.0.0.1/32,127.0.0.2/32", tls__legacy_lan_submission="true")
    # openssl s_client runs from 127.0.0.1, a LAN address here.
    for service, starttls in (("submissions", None), ("submission", "smtp")):
        for version, name in (("-tls1", "TLSv1"), ("-tls1_1", "TLSv1.1")):
            res = s_client(d.ports[service], version, "-cipher", "DEFAULT:@SECLEVEL=0", starttls=starttls)
            assert handshake_ok(res) and f"Protocol version: {name}\n" in res.stderr, (service, version, res.stderr[-500:])
        # Weak suites stay refused even for them.
        assert not handshake_ok(s_client(d.ports[service], "-tls1", "-cipher", "DES-CBC3-SHA:@SECLEVEL=0",
                                         starttls=starttls))
    # Not on the MX port nor on IMAP.
    for service, starttls in (("smtp", "smtp"), ("imaps", None)):
        assert not handshake_ok(s_client(d.ports[service], "-tls1", "-cipher", "DEFAULT:@SECLEVEL=0", starttls=starttls))
    try:
        version, cipher = old_device_handshake(d.ports["submissions"], LAN_IP, ssl.TLSVersion.TLSv1)
    except ssl.SSLError as e:
        pytest.skip(f"this Python's OpenSSL cannot do TLS 1.0 ({e})")
    assert version == "TLSv1" and "RC4" not in cipher and "DES" not in cipher
    # Not for a client outside the LAN, even on submission.
    with pytest.raises(ssl.SSLError):
        old_device_handshake(d.ports["submissions"], OUTSIDE_IP, ssl.TLSVersion.TLSv1)
    with pytest.raises(ssl.SSLError):
        old_device_handshake(d.ports["submissions"], OUTSIDE_IP, ssl.TLSVersion.TLSv1_1)
    # Turned off again, the LAN device is refused for new connections.
    d.set_live(tls__legacy_lan_submission="false")
    with pytest.raises(ssl.SSLError):
        old_device_handshake(d.ports["submissions"], LAN_IP, ssl.TLSVersion.TLSv1)


def test_old_min_version_values_are_refused(mailserver):
    d = mailserver(start=False)
    res = d.cli("config", "set", "tls.min_version", "1.0", check=False)
    assert res.returncode == 1 and "tls.min_version" in res.stderr and "1.2, 1.3" in res.stderr


def test_min_version_1_3_applies_to_every_listener_without_restart(mailserver):
    from admin_api import start_admin
    d = start_admin(mailserver)
    starts = d.log("postern.log").count("admin panel listening on")
    assert handshake_ok(s_client(d.ports["admin"], "-tls1_2"))
    d.set_live(tls__min_version="1.3")
    for service, starttls in (("admin", None), ("imaps", None), ("submission", "smtp")):
        assert not handshake_ok(s_client(d.ports[service], "-tls1_2", starttls=starttls)), service
        assert handshake_ok(s_client(d.ports[service], "-tls1_3", starttls=starttls)), service
    assert d.log("postern.log").count("admin panel listening on") == starts

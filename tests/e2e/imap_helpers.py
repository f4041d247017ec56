"""Shared pieces of the IMAP end-to-end tests: a daemon hosting example.test whose LAN
(127.0.0.2) may log in without TLS, imaplib clients, a byte-level client, and mail sent
over the daemon's own SMTP listener."""
import imaplib
import smtplib
import socket
import ssl

from conftest import LAN_IP, OUTSIDE_IP, SocketClient, tls_context

ALICE = ("alice@example.test", "alice-secret-1")
BOB = ("bob@example.test", "bob-secret-22")


def imap_daemon(mailserver, **settings):
    settings.setdefault("imap__auth_plaintext_lan", "true")
    return mailserver(**settings)


def connect(d, user=ALICE, source=LAN_IP, login=True):
    m = imaplib.IMAP4("127.0.0.1", d.ports["imap"], timeout=30)
    if source:
        # imaplib cannot pick a source address: reconnect the socket ourselves.
        m.sock.close()
        m.sock = socket.create_connection(("127.0.0.1", d.ports["imap"]), timeout=30, source_address=(source, 0))
        m.file = m.sock.makefile("rb")
        m.welcome = m._get_response()
        m._get_capabilities()
    if login:
        typ, _ = m.login(*user)
        assert typ == "OK"
    return m


def connect_tls(d, user=ALICE):
    m = imaplib.IMAP4_SSL("127.0.0.1", d.ports["imaps"], ssl_context=tls_context(), timeout=30)
    if user:
        assert m.login(*user)[0] == "OK"
    return m


def send_mail(d, to, subject="hello", body="Hello there.\r\n", sender="someone@elsewhere.test"):
    msg = f"From: <{sender}>\r\nTo: <{to}>\r\nSubject: {subject}\r\n\r\n{body}"
    with smtplib.SMTP("127.0.0.1", d.ports["smtp"], source_address=(LAN_IP, 0), timeout=30) as s:
        s.sendmail(sender, [to], msg.encode())


class RawImap(SocketClient):
    """Byte-exact IMAP dialogue: send() a line, then read up to the tagged answer."""

    def __init__(self, d, source=LAN_IP, service="imap", tls=False):
        s = socket.create_connection(("127.0.0.1", d.ports[service]), timeout=30, source_address=(source, 0))
        if tls:
            s = tls_context().wrap_socket(s)
        self.sock = s
        self.file = s.makefile("rb")
        self.greeting = self.file.readline()

    def send(self, data):
        self.sock.sendall(data if isinstance(data, bytes) else data.encode())

    def line(self):
        return self.file.readline()

    def until_tagged(self, tag):
        lines = []
        while True:
            line = self.file.readline()
            assert line, f"connection closed; got {lines}"
            lines.append(line)
            # literals: read their bytes so they are not mistaken for lines
            if line.rstrip(b"\r\n").endswith(b"}") and b"{" in line:
                n = int(line[line.rindex(b"{") + 1:line.rstrip(b"\r\n").rindex(b"}")])
                lines.append(self.file.read(n))
                continue
            if line.startswith(tag.encode() + b" "):
                return lines

    def cmd(self, tag, text):
        self.send(f"{tag} {text}\r\n")
        return self.until_tagged(tag)

    def login(self, user=ALICE):
        lines = self.cmd("L1", f'LOGIN "{user[0]}" "{user[1]}"')
        assert lines[-1].startswith(b"L1 OK"), lines
        return lines

"""Helpers shared by the test_security_*.py files."""
import socket

MSG = b"Subject: security test\r\n\r\nhello\r\n"


def greeting(d, source, service="smtp"):
    """Connects from `source` and returns (code, text) of the first reply; the socket is
    closed afterwards."""
    with socket.create_connection(("127.0.0.1", d.ports[service]), timeout=20,
                                  source_address=(source, 0)) as s:
        line = s.makefile("rb").readline().decode(errors="replace").rstrip("\r\n")
    return int(line[:3]), line


def dialogue(d, source, helo="client.test", extended=True):
    """A RawClient after a successful HELO/EHLO."""
    c = d.raw(source=source)
    code, text = c.cmd(("EHLO " if extended else "HELO ") + helo)
    assert code == 250, text
    return c


def mail_rcpt(d, source, sender, rcpt, helo="client.test"):
    """(MAIL reply, RCPT reply or None) of one transaction."""
    with dialogue(d, source, helo) as c:
        mail = c.cmd(f"MAIL FROM:<{sender}>")
        if mail[0] != 250:
            return mail, None
        return mail, c.cmd(f"RCPT TO:<{rcpt}>")


def stop_log(d):
    """Stops the daemon and returns its 'policy refusals' line."""
    d.stop()
    return [line for line in d.log("postern.log").splitlines() if "policy refusals" in line][-1]

"""PIPELINING (RFC 2920): commands sent in one write get their replies in order."""
import socket

from conftest import OUTSIDE_IP


def test_pipelined_transaction(mailserver):
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        assert "PIPELINING" in c.ehlo()
        c.send("MAIL FROM:<x@elsewhere.test>\r\nRCPT TO:<alice@example.test>\r\n"
               "RCPT TO:<bob@example.test>\r\nDATA\r\n")
        assert c.reply()[0] == 250
        assert c.reply()[0] == 250
        assert c.reply()[0] == 250
        assert c.reply()[0] == 354
        c.send("Subject: piped\r\n\r\npipelined body\r\n.\r\n")
        code, text = c.reply()
        assert code == 250 and "queued as" in text, text
    for who in ("alice@example.test", "bob@example.test"):
        [stored] = d.wait_messages(who, 1)
        assert b"Subject: piped" in stored and b"pipelined body" in stored


def test_pipelined_with_refused_recipient(mailserver):
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        c.send("MAIL FROM:<x@elsewhere.test>\r\nRCPT TO:<nobody@example.test>\r\n"
               "RCPT TO:<friend@remote.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n")
        assert [c.reply()[0] for _ in range(5)] == [250, 550, 554, 250, 354]
        c.send("Subject: partly\r\n\r\nx\r\n.\r\n")
        assert c.reply()[0] == 250
    d.wait_messages("bob@example.test", 1)
    assert d.queue_list() == []


def test_pipelined_all_recipients_refused_data_refused(mailserver):
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        c.send("MAIL FROM:<x@elsewhere.test>\r\nRCPT TO:<nobody@example.test>\r\nDATA\r\n")
        codes = [c.reply()[0] for _ in range(3)]
        assert codes == [250, 550, 554], codes
        # the session is in command mode, not swallowing data
        assert c.cmd("NOOP") == (250, "250 2.0.0 Ok")


def test_two_pipelined_messages_and_quit_in_one_write(mailserver):
    d = mailserver()
    with d.raw(source=OUTSIDE_IP) as c:
        c.ehlo()
        one = ("MAIL FROM:<x@elsewhere.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
               "Subject: first\r\n\r\n1\r\n.\r\n")
        two = ("MAIL FROM:<y@elsewhere.test>\r\nRCPT TO:<alice@example.test>\r\nDATA\r\n"
               "Subject: second\r\n\r\n2\r\n.\r\nQUIT\r\n")
        c.send(one + two)
        codes = [c.reply()[0] for _ in range(9)]
        assert codes == [250, 250, 354, 250, 250, 250, 354, 250, 221], codes
        assert c.read_to_close() == b""
    msgs = d.wait_messages("alice@example.test", 2)
    subjects = sorted(m.split(b"Subject: ")[1][:6] for m in msgs)
    assert subjects == [b"first\r", b"second"]


def test_pipelined_ehlo_and_everything_in_one_packet(mailserver):
    """Whole dialogue in a single write, as some aggressive clients do."""
    d = mailserver()
    s = socket.create_connection(("127.0.0.1", d.ports["smtp"]), source_address=(OUTSIDE_IP, 0), timeout=20)
    with s:
        f = s.makefile("rb")
        assert f.readline().startswith(b"220")
        s.sendall(b"EHLO c\r\nMAIL FROM:<x@elsewhere.test>\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n"
                  b"Subject: one packet\r\n\r\nx\r\n.\r\nQUIT\r\n")
        data = f.read()
    lines = [l for l in data.split(b"\r\n") if l]
    finals = [l[:3] for l in lines if l[3:4] == b" "]
    assert finals == [b"250", b"250", b"250", b"354", b"250", b"221"], lines
    d.wait_messages("bob@example.test", 1)

"""smtp.data_memory_mb: the memory all sessions together may hold in messages being
received. Past it a message is refused with a temporary 452 4.3.1 (the client retries
later), nothing is queued, and the memory is given back for the next message."""
from conftest import OUTSIDE_IP


def _data(c, body):
    assert c.cmd("MAIL FROM:<x@elsewhere.test>")[0] == 250
    assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(body + b"\r\n.\r\n")
    return c.reply()


def test_message_over_the_budget_is_deferred_and_the_budget_comes_back(mailserver):
    d = mailserver(smtp__data_memory_mb=8, smtp__max_message_size_mb=25)
    line = b"x" * 998 + b"\r\n"
    big = b"Subject: big\r\n\r\n" + line * (10 * 1024)  # ~10 MB, within the size limit
    with d.raw(source=OUTSIDE_IP, timeout=60) as c:
        c.ehlo()
        code, text = _data(c, big)
        assert (code, text[4:9]) == (452, "4.3.1"), text
        code, text = _data(c, b"Subject: small\r\n\r\nfits")
        assert code == 250, text
    [stored] = d.wait_messages("alice@example.test", 1)
    assert b"Subject: small" in stored
    assert "data_memory_mb" in d.log("smtp.log")

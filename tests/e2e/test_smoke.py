"""The first thing an admin does: send a mail to a local user and find it in the Maildir."""
from email.message import EmailMessage


def test_local_delivery_from_outside(server):
    msg = EmailMessage()
    msg["From"] = "someone@elsewhere.test"
    msg["To"] = "alice@example.test"
    msg["Subject"] = "hello"
    msg.set_content("first mail\n")
    with server.smtp() as c:
        c.ehlo("client.test")
        refused = c.send_message(msg)
    assert refused == {}
    [stored] = server.wait_messages("alice@example.test", 1)
    assert b"Subject: hello" in stored
    assert stored.startswith(b"Return-Path: <someone@elsewhere.test>\r\nDelivered-To: alice@example.test\r\n")
    assert b"Received: from client.test ([127.0.0.1])" in stored
    assert b"first mail" in stored
    assert server.messages("bob@example.test") == []

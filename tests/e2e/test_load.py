"""Load: 500 SMTP sessions open at the same time, each delivering a message; all of them
are served and every message arrives once."""
import smtplib
import threading

from conftest import OUTSIDE_IP

SESSIONS = 500


def test_500_concurrent_sessions_all_deliver(mailserver):
    d = mailserver(smtp__max_connections=600)
    connected = threading.Barrier(SESSIONS, timeout=120)
    results = [None] * SESSIONS

    def session(n):
        try:
            with smtplib.SMTP("127.0.0.1", d.ports["smtp"], source_address=(OUTSIDE_IP, 0), timeout=120) as s:
                connected.wait()  # every session is open before any sends
                s.ehlo("load.test")
                s.sendmail("load@elsewhere.test", ["alice@example.test"],
                           f"Message-ID: <load-{n}@elsewhere.test>\r\nSubject: load {n}\r\n\r\nhello\r\n")
                results[n] = "ok"
        except Exception as e:  # reported below with the others
            results[n] = repr(e)

    threads = [threading.Thread(target=session, args=(n,)) for n in range(SESSIONS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    failures = [r for r in results if r != "ok"]
    assert not failures, f"{len(failures)} sessions failed, e.g. {failures[:3]}"
    msgs = d.wait_messages("alice@example.test", SESSIONS, timeout=120)
    ids = sorted(m.split(b"Message-ID: <load-")[1].split(b"@")[0] for m in msgs)
    assert ids == sorted(str(n).encode() for n in range(SESSIONS))

"""The queue through the admin API: list with filters, show, hold, release, retry, delete,
against mail really waiting in the daemon's queue."""
import time

from conftest import LAN_IP


def queue_two(d):
    with d.smtp(source=LAN_IP) as s:
        s.sendmail("printer@office.test", ["one@remote.test"], b"Subject: first\r\n\r\nbody\r\n")
        s.sendmail("scanner@office.test", ["two@remote.test", "three@remote.test"], b"Subject: second\r\n\r\nbody\r\n")


def test_list_show_hold_release_retry_delete(admin):
    d, api = admin
    queue_two(d)
    items = api.get("/queue")
    assert sorted(i["recipient"] for i in items) == ["one@remote.test", "three@remote.test", "two@remote.test"]
    assert all(i["route"] == "remote" and not i["held"] for i in items)
    assert api.get("/queue?route=local") == []
    assert [i["recipient"] for i in api.get("/queue?q=one%40remote")] == ["one@remote.test"]
    second = next(i["id"] for i in items if i["sender"] == "scanner@office.test")
    shown = api.get(f"/queue/{second}")
    assert shown["id"] == second and len(shown["recipients"]) == 2 and "Subject: second" in shown["headers"]
    assert "body" not in shown["headers"]

    api.post(f"/queue/{second}/hold")
    assert sorted(i["recipient"] for i in api.get("/queue?held=true")) == ["three@remote.test", "two@remote.test"]
    assert [i["recipient"] for i in api.get("/queue?held=false")] == ["one@remote.test"]
    assert " held" in d.cli("queue", "list").stdout
    api.post(f"/queue/{second}/release")
    assert api.get("/queue?held=true") == []
    api.post(f"/queue/{second}/retry")
    api.delete(f"/queue/{second}")
    assert [i["recipient"] for i in api.get("/queue")] == ["one@remote.test"]

    for method, path in [("GET", "/api/v1/queue/NOSUCHID"), ("POST", "/api/v1/queue/NOSUCHID/hold"),
                         ("POST", "/api/v1/queue/NOSUCHID/retry"), ("DELETE", "/api/v1/queue/NOSUCHID")]:
        status, _, data = api.raw(method, path, {} if method == "POST" else None)
        assert status == 404 and "NOSUCHID" in data["error"], (method, path)
    status, _, data = api.raw("GET", "/api/v1/queue?route=sideways")
    assert status == 400 and data["field"] == "route"
    status, _, data = api.raw("GET", "/api/v1/queue?held=maybe")
    assert status == 400 and data["field"] == "held"


def test_status_counts_the_queue(admin):
    d, api = admin
    queue_two(d)
    status = api.get("/status")
    assert status["queue"]["recipients"] == 3 and status["queue"]["remote"] == 3 and status["queue"]["local"] == 0
    assert len(status["sent_per_hour"]) == 24 and len(status["bounced_per_hour"]) == 24
    assert status["uptime_s"] >= 0 and status["smtp_sessions"] >= 0
    # A local delivery shows up in the current hour.
    before = status["sent_per_hour"][-1]
    with d.smtp() as s:
        s.sendmail("someone@outside.test", ["alice@example.test"], b"Subject: hi\r\n\r\nhello\r\n")
    d.wait_messages("alice@example.test", 1)
    d.wait_log("delivery.log", r"alice@example.test.*status=sent")
    assert api.get("/status")["sent_per_hour"][-1] == before + 1
    # Refusals are counted by reply code.
    with d.smtp(source="127.0.0.3") as s:
        s.ehlo()
        s.mail("someone@outside.test")
        assert s.rcpt("nobody@example.test")[0] == 550
        assert s.rcpt("nobody2@example.test")[0] == 550
    deadline = time.time() + 20
    while d.log("smtp.log").count(" reply 550 ") < 2:
        assert time.time() < deadline, d.log("smtp.log")[-2000:]
        time.sleep(0.05)
    rejects = {r["reply"]: r for r in api.get("/status")["rejects_24h"]}
    code = next(k for k in rejects if k.startswith("550"))
    assert rejects[code]["count"] == 2 and rejects[code]["example"].startswith(code)

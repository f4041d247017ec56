"""SEC-1 black and white lists, SEC-2 whitelist skip matrix: each rule type with reject and
discard, whitelist entries as exceptions to their family's blacklist, what each whitelist
type skips (shown in the queued log line), and changes seen by the running daemon at once.
network.lan=127.0.0.2/32; 127.0.0.3 and up are outside hosts."""
import re
import smtplib

import pytest

from conftest import LAN_IP, OUTSIDE_IP
from security_helpers import MSG, greeting, mail_rcpt, stop_log


def access(d, *args, check=True):
    return d.cli("access", *args, check=check)


def test_ip_blacklist_rejects_at_connect_and_counts(mailserver):
    d = mailserver()
    out = access(d, "add", "--list", "black", "--type", "ip", "127.0.0.4").stdout
    assert re.match(r"added \d+ black ip 127\.0\.0\.4 reject", out), out
    code, text = greeting(d, "127.0.0.4")
    assert (code, text[4:9]) == (554, "5.7.1") and "127.0.0.4" in text, text
    assert greeting(d, OUTSIDE_IP)[0] == 220
    assert "client.blacklist=1" in stop_log(d)


def test_cidr_blacklist_with_netmask_and_ip_whitelist_exception(mailserver):
    d = mailserver()
    access(d, "add", "--list", "black", "--type", "cidr", "127.0.0.0/255.255.255.248")  # .0 - .7
    access(d, "add", "--list", "white", "--type", "ip", "127.0.0.5")
    assert greeting(d, "127.0.0.4")[0] == 554
    assert greeting(d, "127.0.0.5")[0] == 220  # whitelisted inside the blacklisted network
    assert greeting(d, "127.0.0.9")[0] == 220  # outside the network


@pytest.mark.parametrize("rule,stage,sender,rcpt", [
    (("sender", "spammer@elsewhere.test"), "MAIL", "Spammer@elsewhere.test", "alice@example.test"),
    (("domain", "spam.test"), "MAIL", "anyone@spam.test", "alice@example.test"),
    (("recipient", "alice@example.test"), "RCPT", "friend@elsewhere.test", "ALICE@example.test"),
])
def test_address_blacklists_reject(mailserver, rule, stage, sender, rcpt):
    d = mailserver()
    access(d, "add", "--list", "black", "--type", rule[0], rule[1])
    mail, rcpt_reply = mail_rcpt(d, OUTSIDE_IP, sender, rcpt)
    reply = mail if stage == "MAIL" else rcpt_reply
    assert (reply[0], reply[1][4:9]) == (554, "5.7.1"), reply
    assert "Access denied" in reply[1]
    # another sender / recipient is not affected
    mail, rcpt_reply = mail_rcpt(d, OUTSIDE_IP, "ok@elsewhere.test", "bob@example.test")
    assert mail[0] == 250 and rcpt_reply[0] == 250


@pytest.mark.parametrize("rule,source,sender", [
    (("ip", "127.0.0.4"), "127.0.0.4", "x@elsewhere.test"),
    (("cidr", "127.0.0.4/30"), "127.0.0.5", "x@elsewhere.test"),
    (("sender", "x@elsewhere.test"), OUTSIDE_IP, "x@elsewhere.test"),
    (("domain", "elsewhere.test"), OUTSIDE_IP, "x@elsewhere.test"),
    (("recipient", "alice@example.test"), OUTSIDE_IP, "x@elsewhere.test"),
])
def test_discard_accepts_then_drops(mailserver, rule, source, sender):
    d = mailserver()
    access(d, "add", "--list", "black", "--type", rule[0], rule[1], "--action", "discard")
    with d.smtp(source=source) as c:
        c.ehlo("client.test")
        assert c.sendmail(sender, ["alice@example.test"], MSG) == {}  # the client is told 250
    d.wait_log("smtp.log", r"discarded id=\S+ from=<x@elsewhere.test> nrcpt=1 .*reason=")
    # a control message from a host, sender and recipient no rule matches is delivered
    with d.smtp(source="127.0.0.9") as c:
        c.ehlo("client.test")
        c.sendmail("control@other.test", ["bob@example.test"], MSG)
    d.wait_messages("bob@example.test", 1)
    assert d.messages("alice@example.test") == []
    assert d.queue_list() == []


def test_recipient_discard_drops_only_that_recipient(mailserver):
    d = mailserver()
    access(d, "add", "--list", "black", "--type", "recipient", "alice@example.test", "--action", "discard")
    with d.smtp(source=OUTSIDE_IP) as c:
        c.ehlo("client.test")
        assert c.sendmail("x@elsewhere.test", ["alice@example.test", "bob@example.test"], MSG) == {}
    d.wait_messages("bob@example.test", 1)
    d.wait_queue_empty()
    assert d.messages("alice@example.test") == []


# SEC-2: what each whitelist type makes later checks skip (the spec's table).
SKIPS = {
    "ip": "dnsbl,spf,virus,dkim,dmarc",
    "cidr": "dnsbl,spf,dkim,dmarc",
    "sender": "spf,virus",
    "recipient": "spf,virus",
    "domain": "spf,virus,dkim,dmarc",
}


@pytest.mark.parametrize("kind,value", [("ip", "127.0.0.4"), ("cidr", "127.0.0.4/31"), ("sender", "x@partner.test"),
                                        ("recipient", "alice@example.test"), ("domain", "partner.test")])
def test_whitelist_skip_matrix(mailserver, kind, value):
    d = mailserver()
    access(d, "add", "--list", "white", "--type", kind, value)
    with d.smtp(source="127.0.0.4") as c:
        c.ehlo("client.test")
        c.sendmail("x@partner.test", ["alice@example.test"], MSG)
    line = d.wait_log("smtp.log", r"queued id=\S+ from=<x@partner.test>.*").group(0)
    assert f"whitelist={kind} skip={SKIPS[kind]}" in line, line
    # a message no whitelist entry matches skips nothing
    with d.smtp(source="127.0.0.9") as c:
        c.ehlo("client.test")
        c.sendmail("y@other.test", ["bob@example.test"], MSG)
    line = d.wait_log("smtp.log", r"queued id=\S+ from=<y@other.test>.*").group(0)
    assert "whitelist=" not in line and "skip=" not in line, line


def test_changes_reach_the_running_daemon_at_once(mailserver):
    d = mailserver()
    assert mail_rcpt(d, OUTSIDE_IP, "x@spam.test", "alice@example.test")[0][0] == 250
    out = access(d, "add", "--list", "black", "--type", "domain", "spam.test").stdout
    rule_id = out.split()[1]
    assert mail_rcpt(d, OUTSIDE_IP, "x@spam.test", "alice@example.test")[0][0] == 554
    assert f"{rule_id} black domain spam.test reject" in access(d, "list").stdout
    access(d, "remove", rule_id)
    assert mail_rcpt(d, OUTSIDE_IP, "x@spam.test", "alice@example.test")[0][0] == 250
    assert access(d, "list").stdout == ""


@pytest.mark.parametrize("args,message", [
    (["add", "--list", "grey", "--type", "ip", "127.0.0.4"], "--list must be black or white"),
    (["add", "--list", "black", "--type", "host", "x"], "--type must be"),
    (["add", "--list", "black", "--type", "ip", "999.1.1.1"], "is not an IP address"),
    (["add", "--list", "black", "--type", "cidr", "192.163.1.1/255.100.10.1"], "netmask must be contiguous"),
    (["add", "--list", "black", "--type", "sender", "not-an-address"], "is not a mail address"),
    (["add", "--list", "black", "--type", "ip", "127.0.0.4", "--action", "bounce"], "--action must be reject or discard"),
    (["add", "--list", "white", "--type", "ip", "127.0.0.4", "--action", "discard"], "blacklist rules only"),
    (["remove", "42"], "does not exist"),
])
def test_cli_refuses_bad_rules(daemon_factory, args, message):
    d = daemon_factory(start=False)
    res = access(d, *args, check=False)
    assert res.returncode == 1 and message in res.stderr, res.stderr
    assert access(d, "list").stdout == ""


def test_duplicate_rule_refused(daemon_factory):
    d = daemon_factory(start=False)
    access(d, "add", "--list", "black", "--type", "ip", "127.0.0.4")
    res = access(d, "add", "--list", "black", "--type", "ip", "127.0.0.4", check=False)
    assert res.returncode == 1 and "already has" in res.stderr
    assert access(d, "list", check=False).returncode == 0
    assert d.cli("access", check=False).returncode == 2

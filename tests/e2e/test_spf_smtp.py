"""SPF at the SMTP server (SPF-1..9, SPF-11): a real daemon asking a real DNS server
(dnsmasq on 127.0.0.1) and clients connecting from different loopback addresses.
SPF is judged at MAIL FROM and its refusal is given to each recipient at RCPT TO, so a
recipient whitelist entry (SEC-2) still gets its mail.

127.0.0.10 is the host pass.test designates; 127.0.0.11 is any other outside host;
127.0.0.2 is the LAN (network.lan). A domain outside dnsmasq's zones (temp.example) is
REFUSED, which the resolver reports as a temporary failure: SPF temperror.
"""
import pytest

from dns_server import DnsServer

GOOD, OTHER, LAN = "127.0.0.10", "127.0.0.11", "127.0.0.2"

RECORDS = [
    ("pass.test", "TXT", "v=spf1 ip4:127.0.0.10 -all"),
    ("soft.test", "TXT", "v=spf1 ip4:127.0.0.10 ~all"),
    ("neutral.test", "TXT", "v=spf1 ?all"),
    ("none.test", "A", "127.0.0.99"),
    ("perm.test", "TXT", "v=spf1 ip4:127.0.0.10 foo:bar -all"),
    ("voids.test", "TXT", "v=spf1 a:n1.voids.test a:n2.voids.test a:n3.voids.test ?all"),
    ("badhelo.test", "TXT", "v=spf1 -all"),
    ("goodhelo.test", "TXT", "v=spf1 ip4:127.0.0.10 ip4:127.0.0.11 -all"),
]


@pytest.fixture
def dns():
    with DnsServer(RECORDS) as server:
        yield server


@pytest.fixture
def spf_server(mailserver, dns):
    def make(**settings):
        base = {"spf__verify_mail_from": "true", "spf__check_helo": "true"}
        base.update(settings)
        return mailserver(dns__nameservers=dns.nameserver, **base)
    return make


def envelope(d, source, sender, helo="client.test", rcpt="alice@example.test"):
    """The client, still connected, and the (code, text) SPF is answered with: that of
    MAIL FROM when refused, else that of RCPT TO."""
    c = d.raw(source=source)
    c.ehlo(helo)
    reply = c.cmd(f"MAIL FROM:<{sender}>")
    if reply[0] == 250:
        reply = c.cmd(f"RCPT TO:<{rcpt}>")
    return c, reply


def deliver(d, source, sender, helo="client.test", body="Subject: spf\r\n\r\nhello\r\n"):
    """Sends one message to alice; returns the envelope's reply and the stored message
    (None when refused)."""
    before = d.messages("alice@example.test")
    c, (code, text) = envelope(d, source, sender, helo)
    with c:
        if code != 250:
            return (code, text), None
        assert c.cmd("DATA")[0] == 354
        c.send(body.replace("\r\n.", "\r\n..") + "\r\n.\r\n")
        assert c.reply()[0] == 250
        c.cmd("QUIT")
    [stored] = [m for m in d.wait_messages("alice@example.test", len(before) + 1) if m not in before]
    return (code, text), stored.decode()


def spf_headers(message):
    head = message.split("\r\n\r\n", 1)[0]
    unfolded = head.replace("\r\n\t", " ").split("\r\n")
    return [h for h in unfolded if h.lower().startswith("received-spf:")]


@pytest.mark.parametrize("sender,source,result,code,enhanced", [
    ("a@pass.test", GOOD, "pass", 250, None),
    ("a@pass.test", OTHER, "fail", 550, "5.7.23"),
    ("a@soft.test", OTHER, "softfail", 250, None),
    ("a@neutral.test", OTHER, "neutral", 250, None),
    ("a@none.test", OTHER, "none", 250, None),
    ("a@temp.example", OTHER, "temperror", 451, "4.7.24"),
    ("a@perm.test", GOOD, "permerror", 250, None),
])
def test_each_result_with_default_actions(spf_server, sender, source, result, code, enhanced):
    d = spf_server()
    (got, text), stored = deliver(d, source, sender)
    assert got == code, text
    if enhanced:
        assert text[4:4 + len(enhanced)] == enhanced, text
        assert stored is None
        assert f"spf: helo=none(client.test) mailfrom={result}" in d.log("smtp.log")
    else:
        [header] = [h for h in spf_headers(stored) if "identity=mailfrom" in h]
        assert header.startswith(f"Received-SPF: {result} "), header
        assert f"client-ip={source};" in header and f'envelope-from="{sender}"' in header


CASES = [("a@pass.test", GOOD, "pass"), ("a@pass.test", OTHER, "fail"), ("a@soft.test", OTHER, "softfail"),
         ("a@neutral.test", OTHER, "neutral"), ("a@none.test", OTHER, "none"),
         ("a@temp.example", OTHER, "temperror"), ("a@perm.test", GOOD, "permerror")]


@pytest.mark.parametrize("action", ["reject", "reject_close", "score"])
def test_each_result_under_each_fail_action(spf_server, action):
    """Only fail is acted on, and only as the FAIL action says; temperror always defers."""
    settings = {"reject": {}, "reject_close": {"spf__fail_close": "true"},
                "score": {"spf__fail_reject": "false", "spf__fail_score": "4"}}[action]
    d = spf_server(**settings)
    for sender, source, result in CASES:
        c, (code, text) = envelope(d, source, sender)
        with c:
            if result == "temperror":
                assert (code, text[4:10]) == (451, "4.7.24"), (result, text)
                assert c.cmd("NOOP")[0] == 250
            elif result == "fail" and action != "score":
                assert (code, text[4:10]) == (550, "5.7.23"), (result, text)
                if action == "reject_close":
                    assert c.read_to_close() == b""
                else:
                    assert c.cmd("NOOP")[0] == 250
            else:
                assert code == 250, (result, text)
    if action == "score":
        (code, _), stored = deliver(d, OTHER, "a@pass.test")
        assert code == 250 and "\r\nX-Postern-Spam-Score: 4\r\n" in "\r\n" + stored
        (code, _), stored = deliver(d, OTHER, "a@soft.test")
        assert code == 250 and "X-Postern-Spam-Score" not in stored


def test_fail_reply_carries_the_explanation(spf_server):
    d = spf_server()
    c, (code, text) = envelope(d, OTHER, "a@pass.test")
    with c:
        assert (code, text[4:10]) == (550, "5.7.23"), text
        assert "pass.test does not designate 127.0.0.11" in text
        # The session goes on: another transaction may still be tried.
        assert c.cmd("RSET")[0] == 250
        assert c.cmd("MAIL FROM:<a@pass.test>")[0] == 250
        assert c.cmd("RCPT TO:<bob@example.test>")[0] == 550


def test_fail_close_ends_the_session(spf_server):
    d = spf_server(spf__fail_close="true")
    c, (code, text) = envelope(d, OTHER, "a@pass.test")
    with c:
        assert code == 550, text
        assert c.read_to_close() == b""


def test_fail_not_rejected_adds_the_fail_score(spf_server):
    d = spf_server(spf__fail_reject="false", spf__fail_score="7")
    (code, text), stored = deliver(d, OTHER, "a@pass.test")
    assert code == 250, text
    assert "\r\nX-Postern-Spam-Score: 7\r\n" in "\r\n" + stored
    assert spf_headers(stored)[-1].startswith("Received-SPF: fail ")


def test_approved_domain_adjusts_score_on_pass_only(spf_server):
    d = spf_server(spf__approved_domains="pass.test, other.test", spf__approved_score="-3")
    (code, _), stored = deliver(d, GOOD, "a@pass.test")
    assert code == 250
    assert "\r\nX-Postern-Spam-Score: -3\r\n" in "\r\n" + stored
    (code, _), stored = deliver(d, OTHER, "a@soft.test")
    assert code == 250
    assert "X-Postern-Spam-Score" not in stored


def test_mail_from_check_off(spf_server):
    d = spf_server(spf__verify_mail_from="false", spf__check_helo="false")
    (code, text), stored = deliver(d, OTHER, "a@pass.test")
    assert code == 250, text
    assert spf_headers(stored) == []


def test_mail_from_off_helo_still_checked(spf_server):
    d = spf_server(spf__verify_mail_from="false")
    (code, text), stored = deliver(d, OTHER, "a@pass.test", helo="goodhelo.test")
    assert code == 250, text
    [header] = spf_headers(stored)
    assert header.startswith("Received-SPF: pass ") and "identity=helo" in header, header
    c, (code, _) = envelope(d, GOOD, "a@pass.test", helo="badhelo.test")
    c.close()
    assert code == 550


def test_whitelisted_ip_is_not_checked(spf_server):
    d = spf_server(spf__whitelist="127.0.0.11/32")
    (code, text), stored = deliver(d, OTHER, "a@pass.test")
    assert code == 250, text
    assert spf_headers(stored) == []
    # Another outside host is still checked.
    c, (code, _) = envelope(d, "127.0.0.12", "a@pass.test")
    c.close()
    assert code == 550


@pytest.mark.parametrize("skip,expected", [("true", 250), ("false", 550)])
def test_skip_trusted(spf_server, skip, expected):
    d = spf_server(spf__skip_trusted=skip)
    c, (code, text) = envelope(d, LAN, "a@pass.test")
    c.close()
    assert code == expected, text


@pytest.mark.parametrize("skip,expected", [("true", 250), ("false", 550)])
def test_skip_authenticated(spf_server, skip, expected):
    from conftest import plain_token
    d = spf_server(spf__skip_authenticated=skip, smtp__check_sender_login="false")
    c = d.raw(source=OTHER)
    with c:
        c.ehlo("client.test")
        assert c.cmd("STARTTLS")[0] == 220
        c.starttls()
        c.ehlo("client.test")
        code, text = c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))
        assert code == 235, text
        assert c.cmd("MAIL FROM:<a@pass.test>")[0] == 250
        code, text = c.cmd("RCPT TO:<bob@example.test>")
        assert code == expected, text


@pytest.mark.parametrize("check_helo,expected", [("true", 550), ("false", 250)])
def test_helo_check(spf_server, check_helo, expected):
    d = spf_server(spf__check_helo=check_helo)
    c, (code, text) = envelope(d, GOOD, "a@pass.test", helo="badhelo.test")
    c.close()
    assert code == expected, text
    if expected == 550:
        assert "badhelo.test" in text


def test_helo_identity_header_and_null_sender(spf_server):
    d = spf_server()
    (code, text), stored = deliver(d, OTHER, "", helo="goodhelo.test")
    assert code == 250, text
    [header] = spf_headers(stored)
    assert header.startswith("Received-SPF: pass ") and "identity=helo" in header, header


def test_header_off(spf_server):
    d = spf_server(spf__received_header="false")
    (code, _), stored = deliver(d, GOOD, "a@pass.test")
    assert code == 250 and spf_headers(stored) == []


def test_header_skip_none(spf_server):
    d = spf_server(spf__header_skip_none="true")
    (code, _), stored = deliver(d, OTHER, "a@none.test")
    assert code == 250 and spf_headers(stored) == []  # HELO and MAIL FROM are both none
    (code, _), stored = deliver(d, GOOD, "a@pass.test")
    assert [h.split()[1] for h in spf_headers(stored)] == ["pass"]


@pytest.mark.parametrize("limit,result", [("2", "permerror"), ("3", "neutral")])
def test_void_lookup_limit(spf_server, limit, result):
    d = spf_server(spf__void_lookup_limit=limit)
    (code, _), stored = deliver(d, OTHER, "a@voids.test")
    assert code == 250
    assert spf_headers(stored)[-1].startswith(f"Received-SPF: {result} ")


def test_void_lookup_limit_below_two_refused(spf_server):
    d = spf_server()
    res = d.cli("config", "set", "spf.void_lookup_limit", "1", check=False)
    assert res.returncode == 1 and "spf.void_lookup_limit" in res.stderr


def test_cache_list_and_clear(spf_server, dns):
    d = spf_server(dns__cache_max_entries="0")  # only the SPF cache can spare a lookup
    deliver(d, GOOD, "a@pass.test")
    listed = d.cli("spf", "cache", "list").stdout
    assert "127.0.0.10 pass.test pass" in listed
    queries = [q for q in dns.queries() if q == ("TXT", "pass.test")]
    deliver(d, GOOD, "a@pass.test")  # answered from the cache: no new TXT query
    assert [q for q in dns.queries() if q == ("TXT", "pass.test")] == queries
    assert "cleared" in d.cli("spf", "cache", "clear").stdout
    assert "pass.test" not in d.cli("spf", "cache", "list").stdout


def test_cache_off(spf_server, dns):
    d = spf_server(spf__cache="false")
    deliver(d, GOOD, "a@pass.test")
    assert "pass.test" not in d.cli("spf", "cache", "list").stdout


def test_cli_check_uses_the_configured_dns(spf_server):
    d = spf_server()
    out = d.cli("spf", "check", "--ip", OTHER, "--helo", "client.test", "--sender", "a@pass.test").stdout
    assert out.startswith("result: fail\n"), out
    assert "explanation: pass.test does not designate 127.0.0.11 as a permitted sender" in out
    assert "Received-SPF: fail (mail.example.test: " in out


# SEC-2 × SPF: every whitelist type skips SPF. A sender that fails SPF (a@pass.test from
# 127.0.0.11) is refused unless an entry matches; client and sender entries exempt the whole
# transaction, a recipient entry only its own recipient.
@pytest.mark.parametrize("kind,value,exempt", [
    ("ip", OTHER, ["alice", "bob"]),
    ("cidr", "127.0.0.10/31", ["alice", "bob"]),
    ("sender", "a@pass.test", ["alice", "bob"]),
    ("domain", "pass.test", ["alice", "bob"]),
    ("recipient", "alice@example.test", ["alice"]),
    (None, None, []),
])
def test_whitelist_types_against_spf_fail(spf_server, kind, value, exempt):
    d = spf_server()
    if kind:
        d.cli("access", "add", "--list", "white", "--type", kind, value)
    with d.raw(source=OTHER) as c:
        c.ehlo("client.test")
        assert c.cmd("MAIL FROM:<a@pass.test>")[0] == 250
        for user in ["alice", "bob"]:
            code, text = c.cmd(f"RCPT TO:<{user}@example.test>")
            if user in exempt:
                assert code == 250, (user, text)
            else:
                assert (code, text[4:10]) == (550, "5.7.23"), (user, text)
                assert f"<{user}@example.test>" in text and "pass.test does not designate" in text, text
        if exempt:
            assert c.cmd("DATA")[0] == 354
            assert c.cmd("Subject: whitelisted\r\n\r\nhello\r\n.")[0] == 250
        c.cmd("QUIT")
    for user in exempt:
        [stored] = d.wait_messages(f"{user}@example.test", 1)
        if kind == "recipient":  # SPF was judged: the message says how
            assert spf_headers(stored.decode())[-1].startswith("Received-SPF: fail "), stored
        else:
            assert spf_headers(stored.decode()) == []
    for user in {"alice", "bob"} - set(exempt):
        assert d.messages(f"{user}@example.test") == []


def test_recipient_whitelist_with_fail_close_keeps_the_session(spf_server):
    """With spf.fail_close the connection closes only when no recipient could be accepted:
    with a recipient whitelist entry, the others are refused and the session goes on."""
    d = spf_server(spf__fail_close="true")
    d.cli("access", "add", "--list", "white", "--type", "recipient", "alice@example.test")
    with d.raw(source=OTHER) as c:
        c.ehlo("client.test")
        assert c.cmd("MAIL FROM:<a@pass.test>")[0] == 250
        assert c.cmd("RCPT TO:<bob@example.test>")[0] == 550
        assert c.cmd("RCPT TO:<alice@example.test>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        assert c.cmd("Subject: kept\r\n\r\nhello\r\n.")[0] == 250
    d.wait_messages("alice@example.test", 1)
    assert d.messages("bob@example.test") == []


@pytest.mark.parametrize("kind,value", [("recipient", "alice@example.test"), ("ip", OTHER)])
def test_whitelist_exempts_from_temperror(spf_server, kind, value):
    d = spf_server()
    d.cli("access", "add", "--list", "white", "--type", kind, value)
    c, (code, text) = envelope(d, OTHER, "a@temp.example")
    c.close()
    assert code == 250, text
    if kind == "recipient":
        c, (code, text) = envelope(d, OTHER, "a@temp.example", rcpt="bob@example.test")
        c.close()
        assert (code, text[4:10]) == (451, "4.7.24"), text

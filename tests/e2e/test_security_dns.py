"""SEC-3 sender policy, SEC-4 unknown client hostname and SEC-5 HELO checks against a real
DNS server (dnsmasq on 127.0.0.1). Each setting on and off; DNS failures defer (4xx) and
never accept. Client and HELO checks are judged at MAIL, so LAN clients and authenticated
users pass. network.lan=127.0.0.2/32; 127.0.0.3 and up are outside hosts."""
import pytest

from conftest import LAN_IP, OUTSIDE_IP, plain_token
from dns_server import DnsServer
from security_helpers import dialogue, mail_rcpt

RECORDS = [
    ("good.test", "MX", 10, "mx.good.test"),
    ("mx.good.test", "A", "127.0.0.50"),
    ("aonly.test", "A", "127.0.0.51"),
    ("v6only.test", "AAAA", "::51"),
    ("nullmx.test", "MX", 0, "."),
    ("txtonly.test", "TXT", "v=spf1 -all"),
    # client host names: .4 forward-confirmed, .5 PTR to a name pointing elsewhere,
    # .7 PTR to a name without address, .6 no PTR at all
    ("host4.good.test", "A", "127.0.0.4"),
    ("127.0.0.5", "PTR", "host5.good.test"),
    ("host5.good.test", "A", "127.0.0.99"),
    ("127.0.0.7", "PTR", "ghost.good.test"),
]


@pytest.fixture(scope="module")
def dns():
    with DnsServer(RECORDS) as server:
        yield server


# --- SEC-3: sender without an FQDN ---------------------------------------------------

@pytest.mark.parametrize("on,sender,expected", [
    (True, "user@localhost", (504, "5.5.2")),
    (True, "user@good.test", (250, "2.1.0")),
    (True, "", (250, "2.1.0")),                # the null sender has no domain to judge
    (True, "user@[127.0.0.9]", (250, "2.1.0")),  # an address literal is fully qualified
    (False, "user@localhost", (250, "2.1.0")),
])
def test_non_fqdn_sender(mailserver, on, sender, expected):
    d = mailserver(security__reject_non_fqdn_sender=str(on).lower())
    with dialogue(d, OUTSIDE_IP) as c:
        code, text = c.cmd(f"MAIL FROM:<{sender}>")
    assert (code, text.split()[1]) == expected, text


# --- SEC-3: sender domain without DNS, when a recipient is not local --------------------

@pytest.mark.parametrize("on,sender,rcpt,expected", [
    (True, "x@good.test", "friend@remote.test", (250, "2.1.5")),     # MX
    (True, "x@aonly.test", "friend@remote.test", (250, "2.1.5")),    # A only
    (True, "x@v6only.test", "friend@remote.test", (250, "2.1.5")),   # AAAA only
    (True, "x@nowhere.test", "friend@remote.test", (550, "5.1.8")),  # NXDOMAIN
    (True, "x@txtonly.test", "friend@remote.test", (550, "5.1.8")),  # no MX, A or AAAA
    (True, "x@nullmx.test", "friend@remote.test", (550, "5.1.8")),   # null MX: sends no mail
    (True, "x@nowhere.test", "alice@example.test", (250, "2.1.5")),  # local recipient: not judged
    (True, "", "friend@remote.test", (250, "2.1.5")),
    (False, "x@nowhere.test", "friend@remote.test", (250, "2.1.5")),
])
def test_unknown_sender_domain(mailserver, dns, on, sender, rcpt, expected):
    d = mailserver(security__reject_unknown_sender_domain=str(on).lower(), dns__nameservers=dns.nameserver)
    mail, reply = mail_rcpt(d, LAN_IP, sender, rcpt)  # the LAN may relay
    assert mail[0] == 250, mail
    assert (reply[0], reply[1].split()[1]) == expected, reply


def test_unknown_sender_domain_dns_failure_defers(mailserver):
    # dns.nameservers stays at the harness's 127.0.0.1:9, where nobody answers
    d = mailserver(security__reject_unknown_sender_domain="true")
    mail, reply = mail_rcpt(d, LAN_IP, "x@good.test", "friend@remote.test")
    assert (reply[0], reply[1].split()[1]) == (451, "4.1.8"), reply
    assert d.queue_list() == []


# --- SEC-4: client host name (PTR and forward must agree) ----------------------------

@pytest.mark.parametrize("on,source,expected", [
    (True, "127.0.0.4", (250, "2.1.0")),
    (True, "127.0.0.5", (550, "5.7.25")),  # PTR name resolves to another address
    (True, "127.0.0.6", (550, "5.7.25")),  # no PTR
    (True, "127.0.0.7", (550, "5.7.25")),  # PTR name without address
    (True, LAN_IP, (250, "2.1.0")),        # own network
    (False, "127.0.0.6", (250, "2.1.0")),
])
def test_unknown_client_hostname(mailserver, dns, on, source, expected):
    d = mailserver(security__reject_unknown_client_hostname=str(on).lower(), dns__nameservers=dns.nameserver)
    with dialogue(d, source) as c:
        code, text = c.cmd("MAIL FROM:<x@good.test>")
    assert (code, text.split()[1]) == expected, text


def test_unknown_client_hostname_dns_failure_defers(mailserver):
    d = mailserver(security__reject_unknown_client_hostname="true")
    with dialogue(d, "127.0.0.4") as c:
        code, text = c.cmd("MAIL FROM:<x@good.test>")
    assert (code, text.split()[1]) == (450, "4.7.25"), text


def test_authenticated_client_passes_client_and_helo_checks(mailserver, dns):
    d = mailserver(security__reject_unknown_client_hostname="true", security__reject_non_fqdn_helo="true",
                   dns__nameservers=dns.nameserver)
    with d.raw("submission", source="127.0.0.6") as c:
        c.ehlo("laptop")
        assert c.cmd("STARTTLS")[0] == 220
        c.starttls()
        c.ehlo("laptop")
        assert c.cmd("AUTH PLAIN " + plain_token("alice@example.test", "alice-secret-1"))[0] == 235
        code, text = c.cmd("MAIL FROM:<alice@example.test>")
        assert code == 250, text
    # the same client without credentials is refused on port 25
    with dialogue(d, "127.0.0.6", helo="laptop") as c:
        assert c.cmd("MAIL FROM:<x@good.test>")[0] == 550


# --- SEC-5: HELO names ---------------------------------------------------------------

@pytest.mark.parametrize("setting,on,helo,expected", [
    ("reject_non_fqdn_helo", True, "localhost", (504, "5.5.2")),
    ("reject_non_fqdn_helo", True, "mx.good.test", (250, "2.1.0")),
    ("reject_non_fqdn_helo", True, "[127.0.0.3]", (250, "2.1.0")),
    ("reject_non_fqdn_helo", False, "localhost", (250, "2.1.0")),
    ("reject_unknown_helo", True, "nowhere.test", (550, "5.7.1")),
    ("reject_unknown_helo", True, "mx.good.test", (250, "2.1.0")),  # A
    ("reject_unknown_helo", True, "good.test", (250, "2.1.0")),     # MX
    ("reject_unknown_helo", True, "[127.0.0.3]", (250, "2.1.0")),
    ("reject_unknown_helo", False, "nowhere.test", (250, "2.1.0")),
])
def test_helo_checks(mailserver, dns, setting, on, helo, expected):
    d = mailserver(**{f"security__{setting}": str(on).lower(), "dns__nameservers": dns.nameserver})
    with dialogue(d, OUTSIDE_IP, helo=helo) as c:
        code, text = c.cmd("MAIL FROM:<x@good.test>")
        assert (code, text.split()[1]) == expected, text
        if code != 250:
            assert helo in text
            # a new HELO with a good name is judged again
            assert c.cmd("EHLO mx.good.test")[0] == 250
            assert c.cmd("MAIL FROM:<x@good.test>")[0] == 250


def test_unknown_helo_dns_failure_defers(mailserver):
    d = mailserver(security__reject_unknown_helo="true")
    with dialogue(d, OUTSIDE_IP, helo="mx.good.test") as c:
        code, text = c.cmd("MAIL FROM:<x@good.test>")
    assert (code, text.split()[1]) == (450, "4.7.1"), text


def test_helo_checks_do_not_apply_to_the_lan(mailserver, dns):
    d = mailserver(security__reject_non_fqdn_helo="true", security__reject_unknown_helo="true",
                   dns__nameservers=dns.nameserver)
    with dialogue(d, LAN_IP, helo="printer") as c:
        assert c.cmd("MAIL FROM:<scanner@example.test>")[0] == 250

"""TLS-2, RequireTLS (RFC 8689) by DNSSEC: flagged mail may leave to an MX whose MX answer
libunbound validated, with no MTA-STS policy at all. The DNS here is signed for real
(signed_dns.py: ldns-signzone, served by NSD on loopback) and Postern is given the zone's
DS as trust anchor (dns.dnssec_trust_anchor), so the validation is libunbound's own.

The decision table (delivery/transport_security.cpp, dns/unbound_resolver.cpp):
  MX answer validated (secure)        -> verified TLS required, then delivered
  MX answer bogus (wrong key, signatures missing under an anchor)
                                      -> the lookup fails temporarily: deferred, nothing sent
  MX answer insecure (no anchor covers the zone) and no MTA-STS
                                      -> bounced, DSN 5.7.10, nothing sent
The MTA-STS side and the inbound side are in test_requiretls.py."""
import pytest

from peers import SENDER, queue_lines, send, wait_delivery
from signed_dns import SignedDns
from sts_world import World
from test_requiretls import bounce_status, send_requiretls

MX_IP = "127.0.0.23"


class DnssecWorld(World):
    """sts_world.World whose records come from NSD: SIGNED zones signed, UNSIGNED not."""

    def __init__(self, tmp_path, daemon_factory, signed=(), unsigned=()):
        super().__init__(tmp_path, daemon_factory)
        self.signed_dns = SignedDns(tmp_path / "dns")
        for z in signed:
            self.signed_dns.zone(z)
        for z in unsigned:
            self.signed_dns.zone(z, sign=False)

    def make_dns(self, records):
        for r in records:
            self.signed_dns.add(r)
        return self.signed_dns


@pytest.fixture
def make_world(tmp_path, daemon_factory):
    worlds = []

    def make(**zones):
        w = DnssecWorld(tmp_path, daemon_factory, **zones)
        worlds.append(w)
        return w

    yield make
    for w in worlds:
        w.close()


def secure_domain(world, tls="good", requiretls=True):
    world.mx("mx1.secure.test", MX_IP, tls=tls, requiretls=requiretls)
    world.domain("secure.test", ["mx1.secure.test"], txt=None)  # no MTA-STS: DNSSEC alone


def test_requiretls_delivered_over_verified_tls_to_dnssec_validated_mx(make_world):
    world = make_world(signed=["secure.test"])
    secure_domain(world)
    d = world.start(dns__dnssec_trust_anchor=world.signed_dns.trust_anchor("secure.test"))
    qid = send_requiretls(d, "carol@secure.test", marker="<dnssec-ok@mail.example.test>")
    line = wait_delivery(d, qid, "carol@secure.test", "sent")
    assert "verified" in line and "MX of secure.test validated by DNSSEC" in line, line
    got = world.mxs["mx1.secure.test"].wait_marker("<dnssec-ok@mail.example.test>")
    assert got["tls"] is True
    assert "REQUIRETLS" in got["mail"], got["mail"]


def test_plus_requiretls_to_dnssec_validated_mx_goes_over_verified_tls(make_world):
    world = make_world(signed=["secure.test"])
    secure_domain(world, requiretls=False)
    d = world.start(dns__dnssec_trust_anchor=world.signed_dns.trust_anchor("secure.test"))
    qid, marker = send(d, "carol+requiretls@secure.test")
    line = wait_delivery(d, qid, "carol@secure.test", "sent")
    assert "verified" in line and "validated by DNSSEC" in line, line
    got = world.mxs["mx1.secure.test"].wait_marker(marker)
    assert got["tls"] is True and got["rcpts"] == ["<carol@secure.test>"]


def test_requiretls_to_dnssec_validated_mx_with_bad_certificate_bounces(make_world):
    # DNSSEC vouches for the MX name, not for whoever answers: the certificate still counts.
    world = make_world(signed=["secure.test"])
    secure_domain(world, tls="wrong")
    d = world.start(dns__dnssec_trust_anchor=world.signed_dns.trust_anchor("secure.test"))
    qid = send_requiretls(d, "carol@secure.test", marker="<dnssec-cert@mail.example.test>")
    line = wait_delivery(d, qid, "carol@secure.test", "bounced")
    assert "no verified TLS session" in line, line
    assert "Status: 5.7.10" in bounce_status(d)
    assert world.mxs["mx1.secure.test"].transactions == []


def test_requiretls_deferred_when_zone_is_signed_with_another_key(make_world):
    # The anchor names a key the zone was never signed with: the answer is bogus (a forgery
    # as far as Postern can tell), so the message waits and nothing is sent.
    world = make_world(signed=["secure.test"])
    secure_domain(world)
    d = world.start(dns__dnssec_trust_anchor=world.signed_dns.trust_anchor("secure.test", other_key=True))
    qid = send_requiretls(d, "carol@secure.test", marker="<dnssec-bogus@mail.example.test>")
    line = wait_delivery(d, qid, "carol@secure.test", "deferred")
    assert "DNSSEC validation failed" in line, line
    [entry] = queue_lines(d, qid)
    assert "requiretls=mail" in entry, entry
    assert world.mxs["mx1.secure.test"].sessions == 0
    assert d.messages(SENDER) == []  # no bounce either: a bogus answer may be fixed


def test_requiretls_deferred_when_signatures_are_stripped(make_world):
    # An anchor is configured for the zone but the server answers without signatures, as an
    # on-path attacker stripping them would: libunbound calls that bogus, not insecure, so
    # the mail waits; no delivery, and no bounce decided on what may be forged data.
    world = make_world(unsigned=["secure.test"])
    secure_domain(world)
    d = world.start(dns__dnssec_trust_anchor=world.signed_dns.trust_anchor("secure.test", other_key=True))
    qid = send_requiretls(d, "carol@secure.test", marker="<dnssec-stripped@mail.example.test>")
    line = wait_delivery(d, qid, "carol@secure.test", "deferred")
    assert "DNSSEC validation failed" in line, line
    assert world.mxs["mx1.secure.test"].sessions == 0


def test_requiretls_bounces_for_unsigned_domain_with_dnssec_on(make_world):
    # Validation is on (an anchor for secure.test) but plain.test is unsigned: its MX answer
    # is insecure, and without MTA-STS the MX cannot be trusted.
    world = make_world(signed=["secure.test"], unsigned=["plain.test"])
    secure_domain(world)
    world.mx("mx1.plain.test", "127.0.0.24", tls="good", requiretls=True)
    world.domain("plain.test", ["mx1.plain.test"], txt=None)
    d = world.start(dns__dnssec_trust_anchor=world.signed_dns.trust_anchor("secure.test"))
    qid = send_requiretls(d, "carol@plain.test", marker="<dnssec-unsigned@mail.example.test>")
    line = wait_delivery(d, qid, "carol@plain.test", "bounced")
    assert "validated neither by an MTA-STS policy" in line and "DNSSEC" in line, line
    dsn = bounce_status(d)
    assert "Status: 5.7.10" in dsn, dsn
    assert world.mxs["mx1.plain.test"].sessions == 0
    # The same daemon still delivers to the signed domain: the bounce was about plain.test.
    qid = send_requiretls(d, "carol@secure.test", marker="<dnssec-ok2@mail.example.test>")
    wait_delivery(d, qid, "carol@secure.test", "sent")
    assert world.mxs["mx1.secure.test"].wait_marker("<dnssec-ok2@mail.example.test>")["tls"] is True

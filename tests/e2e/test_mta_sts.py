"""TLS-3, MTA-STS when sending (RFC 8461), against real peers on loopback: dnsmasq with
MX and _mta-sts TXT records, an HTTPS policy server with a test CA Postern trusts through
tls.ca_file, and test MX hosts that offer or withhold STARTTLS with good or bad
certificates (sts_world.py). Postern delivers directly to the MX hosts."""
import re

import pytest

from peers import SENDER, queue_lines, send, wait_delivery
from sts_world import World, policy_text


@pytest.fixture
def world(tmp_path, daemon_factory):
    w = World(tmp_path, daemon_factory)
    yield w
    w.close()


def deferred_error(d, qid, rcpt):
    line = wait_delivery(d, qid, rcpt, "deferred")
    [entry] = queue_lines(d, qid)
    return line, entry


# ------------------------------------------------------------------------- enforce
def test_enforce_good_mx_delivered_over_verified_tls(world):
    world.mx("mx1.sts.test", "127.0.0.21", tls="good")
    world.domain("sts.test", ["mx1.sts.test"], policy=policy_text("enforce", "mx1.sts.test"))
    d = world.start()
    qid, marker = send(d, "carol@sts.test")
    line = wait_delivery(d, qid, "carol@sts.test", "sent")
    assert "verified" in line, line
    got = world.mxs["mx1.sts.test"].wait_marker(marker)
    assert got["tls"] is True
    assert world.policy.fetched("mta-sts.sts.test") == [("mta-sts.sts.test", "/.well-known/mta-sts.txt")]
    d.wait_queue_empty()
    assert d.messages(SENDER) == []


def test_enforce_bad_certificate_defers_and_sends_nothing(world):
    world.mx("mx1.sts.test", "127.0.0.21", tls="wrong")
    world.domain("sts.test", ["mx1.sts.test"], policy=policy_text("enforce", "mx1.sts.test"))
    d = world.start()
    qid, marker = send(d, "carol@sts.test")
    line, entry = deferred_error(d, qid, "carol@sts.test")
    assert "MTA-STS policy of sts.test (enforce) not met" in line and "did not verify" in line, line
    assert "MTA-STS" in entry, entry
    assert world.mxs["mx1.sts.test"].with_marker(marker) == []
    assert d.messages(SENDER) == [], "a deferral is not a bounce"


def test_enforce_mx_without_starttls_never_gets_mail_in_clear(world):
    world.mx("mx1.sts.test", "127.0.0.21", tls=None)
    world.domain("sts.test", ["mx1.sts.test"], policy=policy_text("enforce", "mx1.sts.test"))
    d = world.start()
    qid, marker = send(d, "carol@sts.test")
    line, _ = deferred_error(d, qid, "carol@sts.test")
    assert "MTA-STS" in line and "STARTTLS" in line, line
    assert world.mxs["mx1.sts.test"].transactions == []


def test_enforce_policy_served_chunked_is_honoured(world):
    world.mx("mx1.sts.test", "127.0.0.21", tls=None)
    world.domain("sts.test", ["mx1.sts.test"], headers={"Transfer-Encoding": "chunked"},
                 policy=policy_text("enforce", "mx1.sts.test") + "padding: " + "x" * 3000 + "\n")
    d = world.start()
    qid, marker = send(d, "carol@sts.test")
    line, _ = deferred_error(d, qid, "carol@sts.test")
    assert "MTA-STS" in line, line
    assert world.mxs["mx1.sts.test"].transactions == []


def test_enforce_skips_mx_not_in_policy(world):
    # The preferred MX is not listed (and would accept mail in clear): it must be skipped.
    world.mx("rogue.sts.test", "127.0.0.22", tls=None)
    world.mx("mx1.sts.test", "127.0.0.21", tls="good")
    world.domain("sts.test", ["rogue.sts.test", "mx1.sts.test"], policy=policy_text("enforce", "mx1.sts.test"))
    d = world.start()
    qid, marker = send(d, "carol@sts.test")
    wait_delivery(d, qid, "carol@sts.test", "sent")
    assert world.mxs["mx1.sts.test"].wait_marker(marker)["tls"] is True
    assert world.mxs["rogue.sts.test"].sessions == 0, "an MX outside the policy was contacted"


def test_enforce_with_wildcard_and_no_listed_mx_defers(world):
    world.mx("mx.other.test", "127.0.0.22", tls="good")
    world.domain("sts.test", ["mx.other.test"], policy=policy_text("enforce", "*.sts.test"))
    d = world.start()
    qid, marker = send(d, "carol@sts.test")
    line, entry = deferred_error(d, qid, "carol@sts.test")
    assert "lists none of its MX hosts" in line, line
    assert world.mxs["mx.other.test"].sessions == 0


# ------------------------------------------------------------------------- testing / none / off
def test_testing_mode_delivers_despite_bad_certificate_and_reports_it(world):
    world.mx("mx1.sts.test", "127.0.0.21", tls="wrong")
    world.domain("sts.test", ["mx1.sts.test"], policy=policy_text("testing", "mx1.sts.test"))
    d = world.start()
    qid, marker = send(d, "carol@sts.test")
    line = wait_delivery(d, qid, "carol@sts.test", "sent")
    assert "MTA-STS testing policy of sts.test not met: certificate did not verify" in line, line
    assert world.mxs["mx1.sts.test"].wait_marker(marker)


def test_mode_none_is_ignored(world):
    world.mx("mx1.sts.test", "127.0.0.21", tls=None)
    world.domain("sts.test", ["mx1.sts.test"], policy="version: STSv1\nmode: none\nmax_age: 86400\n")
    d = world.start()
    qid, marker = send(d, "carol@sts.test")
    line = wait_delivery(d, qid, "carol@sts.test", "sent")
    assert "MTA-STS" not in line
    assert world.mxs["mx1.sts.test"].wait_marker(marker)["tls"] is False
    assert world.policy.fetched("mta-sts.sts.test")


def test_setting_off_ignores_policies(world):
    world.mx("mx1.sts.test", "127.0.0.21", tls=None)
    world.domain("sts.test", ["mx1.sts.test"], policy=policy_text("enforce", "mx1.sts.test"))
    d = world.start(delivery__mta_sts="false")
    qid, marker = send(d, "carol@sts.test")
    wait_delivery(d, qid, "carol@sts.test", "sent")
    assert world.policy.requests == []


def test_tls_required_no_header_waives_the_policy(world):
    world.mx("mx1.sts.test", "127.0.0.21", tls="wrong")
    world.domain("sts.test", ["mx1.sts.test"], policy=policy_text("enforce", "mx1.sts.test"))
    d = world.start()
    qid, marker = send(d, "carol@sts.test", extra_headers="TLS-Required: No\r\n")
    wait_delivery(d, qid, "carol@sts.test", "sent")
    assert world.mxs["mx1.sts.test"].wait_marker(marker)


# ------------------------------------------------------------------------- fetch rules
BAD_FETCHES = {
    "404": dict(status=404),
    "redirect": dict(status=302, headers={"Location": "https://mta-sts.sts.test/elsewhere.txt"}),
    "server error": dict(status=500),
    "text/html": dict(content_type="text/html"),
    "oversize": dict(policy=policy_text("enforce", "mx1.sts.test") + "padding: " + "x" * 70000 + "\n"),
    "oversize chunked": dict(policy=policy_text("enforce", "mx1.sts.test") + "padding: " + "x" * 70000 + "\n",
                             headers={"Transfer-Encoding": "chunked"}),
    "invalid policy": dict(policy="version: STSv1\nmode: enforce\nmax_age: 86400\n"),
}


@pytest.mark.parametrize("case", sorted(BAD_FETCHES))
def test_unusable_policy_fetch_means_no_policy(world, case):
    # With a usable enforce policy this plain MX would never get the mail (see above);
    # when the fetch breaks a rule of §3.3 the domain counts as having no policy.
    kw = dict(policy=policy_text("enforce", "mx1.sts.test"))
    kw.update(BAD_FETCHES[case])
    world.mx("mx1.sts.test", "127.0.0.21", tls=None)
    world.domain("sts.test", ["mx1.sts.test"], **kw)
    d = world.start()
    qid, marker = send(d, "carol@sts.test")
    wait_delivery(d, qid, "carol@sts.test", "sent")
    assert world.mxs["mx1.sts.test"].wait_marker(marker)["tls"] is False
    assert [p for _, p in world.policy.fetched("mta-sts.sts.test")] == ["/.well-known/mta-sts.txt"], \
        "fetched once, redirect not followed"


def test_policy_server_certificate_must_verify(world, tmp_path):
    # The policy host presents a certificate for another name: no policy.
    world.mx("mx1.sts.test", "127.0.0.21", tls=None)
    world.domain("sts.test", ["mx1.sts.test"], policy=policy_text("enforce", "mx1.sts.test"))
    world.domain("decoy.test", ["mx1.sts.test"], policy=None, txt=None)
    d = world.start()
    # Re-point the policy certificate: serve sts.test's policy with a certificate naming
    # only mta-sts.decoy.test.
    world.policy.__exit__(None, None, None)
    world.started.remove(world.policy)
    from sts_peers import PolicyServer
    cert, key = world.ca.issue("decoy", "mta-sts.decoy.test")
    world.policy = PolicyServer("127.0.0.40", world.policy_port, cert, key).__enter__()
    world.started.append(world.policy)
    world.policy.serve("mta-sts.sts.test", policy_text("enforce", "mx1.sts.test"))
    qid, marker = send(d, "carol@sts.test")
    wait_delivery(d, qid, "carol@sts.test", "sent")
    assert world.mxs["mx1.sts.test"].wait_marker(marker)["tls"] is False
    assert world.policy.requests == [], "no request is sent to an unverified policy host"


def test_cached_policy_stays_in_force_when_the_policy_server_disappears(world):
    world.mx("mx2.sts.test", "127.0.0.22", tls="good")
    world.domain("sts.test", ["mx2.sts.test"], policy=policy_text("enforce", "mx2.sts.test"))
    d = world.start()
    qid, marker = send(d, "carol@sts.test")
    wait_delivery(d, qid, "carol@sts.test", "sent")
    # The policy server now answers 404 for everything; the TXT id is unchanged, so the
    # cached enforce policy still rules: a second message still goes over verified TLS.
    world.policy.routes.clear()
    qid2, marker2 = send(d, "dave@sts.test")
    line = wait_delivery(d, qid2, "dave@sts.test", "sent")
    assert "verified" in line
    assert len(world.policy.fetched("mta-sts.sts.test")) == 1, "same id: served from the cache"
    assert (d.data_dir / "mta-sts-cache.db").exists()


def test_policy_is_fetched_again_once_max_age_has_passed(world):
    # Vector "max_age: 1": valid, and the cached copy expires after one second.
    import time
    world.mx("mx1.sts.test", "127.0.0.21", tls="good")
    world.domain("sts.test", ["mx1.sts.test"], policy=policy_text("enforce", "mx1.sts.test", max_age=1))
    d = world.start()
    qid, _ = send(d, "carol@sts.test")
    wait_delivery(d, qid, "carol@sts.test", "sent")
    assert len(world.policy.fetched("mta-sts.sts.test")) == 1
    time.sleep(2)  # let the one-second max_age run out (not a timing assertion)
    qid2, _ = send(d, "dave@sts.test")
    wait_delivery(d, qid2, "dave@sts.test", "sent")
    assert len(world.policy.fetched("mta-sts.sts.test")) == 2, "an expired policy is fetched again"

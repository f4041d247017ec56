"""A small outbound Internet on loopback for the MTA-STS and RequireTLS tests: dnsmasq
(dns_server.DnsServer) serving MX, A and _mta-sts TXT records, one HTTPS policy server
(sts_peers.PolicyServer, 127.0.0.40) and test MX hosts (sts_peers.TestMx, 127.0.0.21..)
sharing one port, all certificates from one test CA that Postern trusts via tls.ca_file.

    w = World(tmp_path, daemon_factory)
    w.mx("mx1.sts.test", "127.0.0.21", tls="good")
    w.domain("sts.test", ["mx1.sts.test"], policy=enforce_policy("mx1.sts.test"))
    d = w.start()            # Postern, direct delivery, DNS and peers running
"""
from dns_server import DnsServer
from peers import TestCA, free_port, outbound_daemon
from sts_peers import PolicyServer, TestMx, port_free_on

POLICY_IP = "127.0.0.40"


def policy_text(mode, *mx, max_age=86400):
    return "version: STSv1\nmode: " + mode + "\n" + "".join(f"mx: {m}\n" for m in mx) + f"max_age: {max_age}\n"


class World:
    def __init__(self, tmp_path, daemon_factory):
        self.tmp = tmp_path
        self.factory = daemon_factory
        self.ca = TestCA(tmp_path / "ca")
        self.mx_specs = {}      # name -> (ip, tls, requiretls)
        self.domains = {}       # domain -> (mx names, txt, policy route)
        self.no_policy_cert = set()
        self.records = []
        self.mxs = {}
        self.started = []
        self.policy = None
        self.dns = None

    def mx(self, name, ip, tls="good", requiretls=False):
        """tls: "good" (certificate for NAME), "wrong" (for wrong.test), None (no STARTTLS), or
        a (cert, key) pair of files the test made."""
        self.mx_specs[name] = (ip, tls, requiretls)

    def domain(self, domain, mx_names, policy=None, txt="v=STSv1; id=1", status=200, content_type="text/plain",
               headers=None, secure=False, policy_cert=True):
        """policy_cert=False: the policy server's certificate does not name mta-sts.DOMAIN."""
        self.domains[domain] = (mx_names, txt, (status, content_type, policy, headers or {}))
        if not policy_cert:
            self.no_policy_cert.add(domain)

    def start(self, **settings):
        ips = [spec[0] for spec in self.mx_specs.values()]
        for _ in range(50):
            self.mx_port = free_port()
            if port_free_on(ips, self.mx_port):
                break
        self.policy_port = free_port()
        for name, (ip, tls, requiretls) in self.mx_specs.items():
            cert = None
            if tls == "good":
                cert = self.ca.issue(name.replace(".", "_"), name)
            elif tls == "wrong":
                cert = self.ca.issue(name.replace(".", "_") + "_wrong", "wrong.test")
            elif isinstance(tls, tuple):
                cert = tls
            m = TestMx(ip, self.mx_port, name, tls=cert, requiretls=requiretls)
            self.started.append(m.__enter__())
            self.mxs[name] = m
            self.records.append((name, "A", ip))
        for domain, (mx_names, txt, _) in self.domains.items():
            for pref, name in enumerate(mx_names):
                self.records.append((domain, "MX", 10 * (pref + 1), name))
            if txt:
                self.records.append(("_mta-sts." + domain, "TXT", txt))
            self.records.append(("mta-sts." + domain, "A", POLICY_IP))
        named = [("mta-sts." + d) for d in self.domains if d not in self.no_policy_cert]
        cert, key = self.ca.issue("policy", *named or ["mta-sts.none.test"])
        self.policy = PolicyServer(POLICY_IP, self.policy_port, cert, key).__enter__()
        self.started.append(self.policy)
        for domain, (_, _, (status, ctype, body, headers)) in self.domains.items():
            if body is not None:
                self.policy.serve("mta-sts." + domain, body, status=status, content_type=ctype, **headers)
        self.dns = self.make_dns(self.records).__enter__()
        self.started.append(self.dns)
        base = dict(delivery__mode="direct", delivery__mx_port=self.mx_port, delivery__mta_sts_port=self.policy_port,
                    dns__nameservers=self.dns.nameserver, tls__ca_file=self.ca.cert)
        base.update(settings)
        return outbound_daemon(self.factory, **base)

    def make_dns(self, records):
        """The DNS server for RECORDS, not yet started; subclasses serve them otherwise
        (test_requiretls_dnssec.py: signed zones from NSD)."""
        return DnsServer(records)

    def close(self):
        for s in reversed(self.started):
            try:
                s.__exit__(None, None, None)
            except Exception:
                pass

"""The whole RFC 7208 test suite (openspf.org, as shipped in Debian's python3-spf) through
`postern spf check`: the same Checker, options and resolver stack the SMTP server uses,
asking a DNS server on 127.0.0.1 that serves each scenario's zone data from the YAML
(TIMEOUT entries are not answered). Issue 10 requires at least 200 of the 203 to match.
"""
import gzip
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from conftest import BIN, free_port
from yaml_dns_server import YamlDnsServer

SUITE = "/usr/share/doc/python3-spf/rfc7208-tests.yml.gz"
REQUIRED = 200


def load_suite():
    with gzip.open(SUITE, "rt", encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d]


def check(data_dir, t):
    args = [str(BIN), "spf", "--data-dir", str(data_dir), "check", "--ip", str(t["host"]),
            "--helo", str(t.get("helo", ""))]
    if "mailfrom" in t:
        args += ["--sender", str(t["mailfrom"])]
    res = subprocess.run(args, capture_output=True, text=True, timeout=60)
    out = {"result": None, "explanation": None, "raw": res.stdout + res.stderr}
    for line in res.stdout.splitlines():
        if line.startswith("result: "):
            out["result"] = line[8:]
        elif line.startswith("explanation: "):
            out["explanation"] = line[13:]
    return out


def matches(t, got):
    expected = t["result"] if isinstance(t["result"], list) else [t["result"]]
    if got["result"] not in expected:
        return False
    exp = t.get("explanation")
    if exp and exp != "DEFAULT" and got["result"] == "fail" and got["explanation"] != exp:
        return False
    return True


def test_rfc7208_suite(tmp_path):
    data_dir = tmp_path / "data"
    port = free_port()
    server = YamlDnsServer(port)
    try:
        cfg = subprocess.run([str(BIN), "config", "--data-dir", str(data_dir), "set",
                              "dns.nameservers", server.address, "dns.timeout_s", "1",
                              "dns.cache_max_entries", "0", "smtp.hostname", "mx.postern.test"],
                             capture_output=True, text=True)
        assert cfg.returncode == 0, cfg.stderr
        total, failures = 0, []
        for scenario in load_suite():
            server.set_zone(scenario.get("zonedata"))
            tests = list(scenario["tests"].items())
            # The zone is fixed within a scenario: its tests run side by side.
            with ThreadPoolExecutor(max_workers=4) as pool:
                results = list(pool.map(lambda item: check(data_dir, item[1]), tests))
            for (name, t), got in zip(tests, results):
                total += 1
                if not matches(t, got):
                    failures.append(f"{name}: expected {t['result']}"
                                    f"{' / ' + t['explanation'] if t.get('explanation') else ''}, got "
                                    f"{got['result']} / {got['explanation']}\n    {got['raw'].strip()}")
    finally:
        server.stop()
    passed = total - len(failures)
    print(f"\nRFC 7208 suite: {passed}/{total} match")
    for f in failures:
        print("  " + f)
    assert total == 203
    assert passed >= REQUIRED, f"{passed}/{total} match; failing:\n" + "\n".join(failures)

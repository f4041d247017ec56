"""The admin's command line: settings, domains, users, aliases, with clear refusals."""
import json

import pytest


@pytest.fixture
def cli(daemon_factory):
    """A data folder with no daemon running."""
    return daemon_factory(start=False)


def _fails(d, *args, input=None):
    res = d.cli(*args, input=input, check=False)
    assert res.returncode != 0, (args, res.stdout)
    return res.stderr


def test_config_list_and_get(cli):
    res = cli.cli("config", "list")
    values = dict(line.split("=", 1) for line in res.stdout.splitlines())
    assert values["smtp.max_recipients"] == "100"
    assert values["smtp.listen"] == f"127.0.0.1:{cli.ports['smtp']}"
    assert cli.cli("config", "get", "smtp.banner").stdout == "Postern ESMTP\n"


def test_config_set_then_get(cli):
    res = cli.set(smtp__max_hops=20, smtp__require_auth="off", network__lan="192.168.1.7/24, 10.0.0.0/8")
    assert "smtp.max_hops=20" in res.stdout
    assert cli.cli("config", "get", "smtp.max_hops").stdout.strip() == "20"
    assert cli.cli("config", "get", "smtp.require_auth").stdout.strip() == "false"
    assert cli.cli("config", "get", "network.lan").stdout.strip() == "192.168.1.0/24,10.0.0.0/8"


@pytest.mark.parametrize("key,value,rule", [
    ("smtp.max_hops", "abc", "whole number"),
    ("smtp.max_hops", "0", "between 1 and 500"),
    ("smtp.max_hops", "501", "between 1 and 500"),
    ("smtp.max_recipients", "-1", "between"),
    ("smtp.command_timeout_s", "4", "between 5 and"),
    ("smtp.require_auth", "maybe", "true or false"),
    ("smtp.bare_newline", "allow", "normalize, reject"),
    ("tls.min_version", "1.4", "one of"),
    ("smtp.listen", "127.0.0.1", "ADDR:PORT"),
    ("smtp.listen", "127.0.0.1:70000", "port"),
    ("smtp.listen", "mail.example.test:25", "IP address"),
    ("network.lan", "192.168.1.0/33", "IP network"),
    ("smtp.hostname", "nodots", "fully qualified"),
    ("smtp.banner", "x" * 201, "at most 200"),
    ("tls.cert_file", "relative/cert.pem", "absolute path"),
])
def test_config_set_bad_value(cli, key, value, rule):
    before = cli.cli("config", "get", key).stdout
    err = _fails(cli, "config", "set", key, value)
    assert key in err and rule in err, err
    assert cli.cli("config", "get", key).stdout == before


def test_config_set_is_all_or_nothing(cli):
    err = _fails(cli, "config", "set", "smtp.max_hops", "20", "smtp.max_recipients", "zero")
    assert "smtp.max_recipients" in err
    assert cli.cli("config", "get", "smtp.max_hops").stdout.strip() == "50"


def test_two_listeners_on_one_port_refused(cli):
    port = cli.ports["smtp"]
    err = _fails(cli, "config", "set", "submission.listen", f"127.0.0.1:{port}")
    assert "submission.listen" in err and str(port) in err and "smtp.listen" in err, err
    assert cli.cli("config", "get", "submission.listen").stdout.strip() == f"127.0.0.1:{cli.ports['submission']}"


def test_same_service_on_v4_and_v6_same_port_allowed(cli):
    port = cli.ports["smtp"]
    cli.set(smtp__listen=f"127.0.0.1:{port},[::1]:{port}")
    assert cli.cli("config", "get", "smtp.listen").stdout.strip() == f"127.0.0.1:{port},[::1]:{port}"


def test_cert_and_key_must_be_set_together(cli):
    err = _fails(cli, "config", "set", "tls.cert_file", "/etc/ssl/cert.pem")
    assert "tls.cert_file" in err and "tls.key_file" in err


@pytest.mark.parametrize("args", [("config", "get", "smtp.nope"), ("config", "set", "smtp.nope", "1")])
def test_unknown_key(cli, args):
    err = _fails(cli, *args)
    assert "smtp.nope" in err and "unknown" in err


@pytest.mark.parametrize("args", [("config",), ("config", "set", "smtp.max_hops"), ("config", "frobnicate"),
                                  ("config", "list", "extra"), ("nosuchverb",)])
def test_usage_errors(cli, args):
    err = _fails(cli, *args)
    assert "usage" in err


def test_config_schema_lists_every_key(cli):
    schema = json.loads(cli.cli("config", "schema").stdout)
    keys = [item["key"] for item in schema]
    listed = [line.split("=", 1)[0] for line in cli.cli("config", "list").stdout.splitlines()]
    assert keys == listed
    assert len(set(keys)) == len(keys)
    by_key = {item["key"]: item for item in schema}
    assert by_key["smtp.max_hops"]["type"] == "int"
    assert (by_key["smtp.max_hops"]["min"], by_key["smtp.max_hops"]["max"]) == (1, 500)
    assert by_key["smtp.bare_newline"]["choices"] == ["normalize", "reject"]
    for item in schema:
        assert item["doc"] and "default" in item and item["type"]


def test_domain_add_list_remove(cli):
    cli.add_domain("Example.TEST")
    cli.add_domain("other.test")
    assert cli.cli("domain", "list").stdout == "example.test\nother.test\n"
    assert "already exists" in _fails(cli, "domain", "add", "example.test")
    cli.cli("domain", "remove", "other.test")
    assert cli.cli("domain", "list").stdout == "example.test\n"
    assert "does not exist" in _fails(cli, "domain", "remove", "other.test")


@pytest.mark.parametrize("name", ["nodot", "bad_domain.test", "-x.test", "[127.0.0.1]", "a..b.test"])
def test_domain_add_bad_name(cli, name):
    assert "not a valid domain" in _fails(cli, "domain", "add", name)
    assert cli.cli("domain", "list").stdout == ""


def test_domain_remove_with_users_refused(cli):
    cli.add_domain("example.test")
    cli.add_user("alice@example.test", "alice-secret-1")
    err = _fails(cli, "domain", "remove", "example.test")
    assert "1 user" in err
    cli.cli("user", "remove", "alice@example.test")
    cli.add_alias("info@example.test", "someone@remote.test")
    assert "alias" in _fails(cli, "domain", "remove", "example.test")
    cli.cli("alias", "remove", "info@example.test")
    cli.cli("domain", "remove", "example.test")
    assert cli.cli("domain", "list").stdout == ""


def test_user_add_list_passwd_remove(cli):
    cli.add_domain("example.test")
    cli.add_user("Alice@Example.test", "alice-secret-1")
    cli.add_user("bob@example.test", "bob-secret-22")
    assert cli.cli("user", "list").stdout == "alice@example.test\nbob@example.test\n"
    assert "already exists" in _fails(cli, "user", "add", "alice@example.test", "--password-stdin",
                                      input="another-pass-1\n")
    cli.cli("user", "passwd", "alice@example.test", "--password-stdin", input="new-password-1\n")
    cli.cli("user", "remove", "bob@example.test")
    assert cli.cli("user", "list").stdout == "alice@example.test\n"
    assert "does not exist" in _fails(cli, "user", "remove", "bob@example.test")
    assert "does not exist" in _fails(cli, "user", "passwd", "bob@example.test", "--password-stdin",
                                      input="whatever-123\n")


def test_user_errors(cli):
    cli.add_domain("example.test")
    assert "not hosted" in _fails(cli, "user", "add", "x@unknown.test", "--password-stdin", input="long-enough-1\n")
    assert "at least 8" in _fails(cli, "user", "add", "x@example.test", "--password-stdin", input="short\n")
    assert "at least 8" in _fails(cli, "user", "add", "x@example.test", "--password-stdin", input="")
    for bad in ("no-at-sign", "a@b@", "@example.test", "a b@example.test", "x@[127.0.0.1]", ".x@example.test"):
        assert "valid" in _fails(cli, "user", "add", bad, "--password-stdin", input="long-enough-1\n"), bad
    assert "password-stdin" in _fails(cli, "user", "add", "x@example.test")
    assert cli.cli("user", "list").stdout == ""


def test_password_change_takes_effect(mailserver):
    d = mailserver()
    d.cli("user", "passwd", "alice@example.test", "--password-stdin", input="changed-password-9\n")
    import smtplib
    with d.smtp("submissions") as c:
        c.ehlo("x")
        with pytest.raises(smtplib.SMTPAuthenticationError):
            c.login("alice@example.test", "alice-secret-1")
    with d.smtp("submissions") as c:
        c.ehlo("x")
        assert c.login("alice@example.test", "changed-password-9")[0] == 235


def test_alias_add_list_remove(cli):
    cli.add_domain("example.test")
    cli.add_user("alice@example.test", "alice-secret-1")
    cli.add_alias("team@example.test", "alice@example.test", "Friend@Remote.test")
    assert cli.cli("alias", "list").stdout == "team@example.test -> alice@example.test,friend@remote.test\n"
    assert "already exists" in _fails(cli, "alias", "add", "team@example.test", "alice@example.test")
    assert "is a user" in _fails(cli, "alias", "add", "alice@example.test", "team@example.test")
    assert "already an alias" in _fails(cli, "user", "add", "team@example.test", "--password-stdin",
                                        input="long-enough-1\n")
    cli.cli("alias", "remove", "team@example.test")
    assert cli.cli("alias", "list").stdout == ""
    assert "does not exist" in _fails(cli, "alias", "remove", "team@example.test")


def test_alias_errors(cli):
    cli.add_domain("example.test")
    assert "not hosted" in _fails(cli, "alias", "add", "x@unknown.test", "a@example.test")
    assert "itself" in _fails(cli, "alias", "add", "x@example.test", "X@example.test")
    assert "not a valid" in _fails(cli, "alias", "add", "x@example.test", "not-an-address")
    assert "not a valid" in _fails(cli, "alias", "add", "bad address@example.test", "a@example.test")
    assert cli.cli("alias", "list").stdout == ""


def test_queue_list_empty(cli):
    res = cli.cli("queue", "list")
    assert res.stdout == ""
    assert "0 recipient(s) queued" in res.stderr


def test_cli_works_while_daemon_runs(mailserver):
    d = mailserver()
    d.add_domain("second.test")
    assert "second.test" in d.cli("domain", "list").stdout
    d.add_user("carol@second.test", "carol-secret-3")
    with d.smtp() as c:
        c.ehlo("x")
        assert c.sendmail("x@elsewhere.test", ["carol@second.test"], b"Subject: s\r\n\r\nx\r\n") == {}
    d.wait_messages("carol@second.test", 1)


def test_data_dir_from_environment(cli, tmp_path):
    import os
    import subprocess
    from conftest import BIN
    env = dict(os.environ, POSTERN_DATA_DIR=str(cli.data_dir))
    res = subprocess.run([str(BIN), "config", "get", "smtp.listen"], env=env, capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"127.0.0.1:{cli.ports['smtp']}"

"""Real peer MTAs for the outbound end-to-end tests, on loopback only (127.0.0.1).

- SmtpSink: Postfix's smtp-sink, a scriptable SMTP server that dumps each message it
  accepts to a file and can refuse commands with 4xx or 5xx replies.
- PostfixSmarthost: a private, throw-away Postfix instance (own config, queue, data and
  log directories under a temp dir; no system-wide Postfix is touched or started) that
  requires STARTTLS (or implicit TLS) and SASL AUTH before it relays, with a certificate
  from a test CA made here with openssl, delivering into Maildirs of its own.
- TestCA: the throw-away CA and its server certificates.

Both are context managers: they pick free loopback ports (the xdist worker's own range,
see conftest.free_port), start, wait until the peer answers 220, and always clean up
(processes killed, temp dirs removed). Nothing is installed at run time: the packages
(postfix, sasl2-bin, libsasl2-modules, openssl) come from scripts/deps.sh.
"""
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

from conftest import free_port

LOOPBACK = "127.0.0.1"
SMTP_SINK = shutil.which("smtp-sink") or "/usr/sbin/smtp-sink"
POSTFIX = shutil.which("postfix") or "/usr/sbin/postfix"
SASLPASSWD2 = shutil.which("saslpasswd2") or "/usr/sbin/saslpasswd2"


def have_smtp_sink():
    return os.access(SMTP_SINK, os.X_OK)


def have_postfix_sasl():
    """Postfix with Cyrus SASL (postconf -A lists "cyrus"), saslpasswd2 and the PLAIN and
    LOGIN plugins: what PostfixSmarthost needs."""
    if not (os.access(POSTFIX, os.X_OK) and os.access(SASLPASSWD2, os.X_OK)):
        return False
    try:
        res = subprocess.run(["postconf", "-A"], capture_output=True, text=True, timeout=30)
    except OSError:
        return False
    plugins = [Path(p) for p in ("/usr/lib/x86_64-linux-gnu/sasl2", "/usr/lib/aarch64-linux-gnu/sasl2",
                                 "/usr/lib/sasl2")]
    has_plain = any(list(p.glob("libplain.so*")) for p in plugins if p.is_dir())
    return "cyrus" in res.stdout and has_plain


def wait_banner(port, timeout=30, proc_alive=None, implicit_tls=False):
    """Polls 127.0.0.1:PORT until a server greets with 220; raises after the deadline."""
    deadline = time.time() + timeout
    last = None
    while time.time() < deadline:
        if proc_alive is not None and not proc_alive():
            raise RuntimeError(f"peer on port {port} died before it answered")
        try:
            with socket.create_connection((LOOPBACK, port), timeout=2) as s:
                s.settimeout(5)
                if implicit_tls:
                    ctx = ssl.create_default_context()
                    ctx.check_hostname = False
                    ctx.verify_mode = ssl.CERT_NONE
                    s = ctx.wrap_socket(s)
                line = s.recv(512)
                if line.startswith(b"220"):
                    try:
                        s.sendall(b"QUIT\r\n")
                    except OSError:
                        pass
                    return
                last = line
        except (OSError, ssl.SSLError) as e:
            last = e
        time.sleep(0.1)
    raise RuntimeError(f"nothing answered 220 on {LOOPBACK}:{port} within {timeout}s (last: {last!r})")


def poll(what, predicate, timeout=30, interval=0.1):
    """Returns predicate()'s first truthy value; raises AssertionError(what) at the deadline."""
    deadline = time.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.time() >= deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(interval)


def _kill(proc, sig=signal.SIGTERM, timeout=10):
    if proc is None or proc.poll() is not None:
        return
    try:
        proc.send_signal(sig)
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=timeout)


# --------------------------------------------------------------------------------------
class SmtpSink:
    """Postfix's smtp-sink on 127.0.0.1:PORT, dumping every accepted message to a file.

    soft=("RCPT",) answers those commands with 4xx (smtp-sink -r), hard=("RCPT",) with 5xx
    (smtp-sink -f); soft_reply / hard_reply set the reply texts (-b / -B). restart() stops
    it and starts it again on the same port with new options (the dumps are kept)."""

    def __init__(self, port=None, hostname="sink.test", **options):
        self.port = port or free_port()
        self.hostname = hostname
        self.options = options
        self.proc = None
        self.dir = None

    def _argv(self, soft=(), hard=(), soft_reply=None, hard_reply=None, quit_on=(), extra=()):
        argv = [SMTP_SINK, "-u", "nobody", "-h", self.hostname, "-d", str(self.dump_dir) + "/%Y%m%d%H%M%S."]
        if soft:
            argv += ["-r", ",".join(soft)]
        if hard:
            argv += ["-f", ",".join(hard)]
        if soft_reply:
            argv += ["-b", soft_reply]
        if hard_reply:
            argv += ["-B", hard_reply]
        if quit_on:
            argv += ["-q", ",".join(quit_on)]
        argv += list(extra)
        argv += [f"{LOOPBACK}:{self.port}", "100"]
        return argv

    def start(self):
        if self.dir is None:
            self.dir = Path(tempfile.mkdtemp(prefix="postern-sink-"))
            os.chmod(self.dir, 0o755)
            self.dump_dir = self.dir / "dump"
            self.dump_dir.mkdir()
            os.chmod(self.dump_dir, 0o777)  # smtp-sink writes as nobody
        self.out = open(self.dir / "smtp-sink.out", "ab")
        self.proc = subprocess.Popen(self._argv(**self.options), stdout=self.out, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            wait_banner(self.port, timeout=20, proc_alive=lambda: self.proc.poll() is None)
        except Exception:
            self.stop()
            raise RuntimeError("smtp-sink did not start: " + self.output())
        return self

    def stop(self):
        _kill(self.proc)
        if getattr(self, "out", None):
            self.out.close()
            self.out = None

    def restart(self, **options):
        """Stops the sink and starts it again on the same port with these options."""
        self.stop()
        self.options = options
        deadline = time.time() + 20
        while True:  # the port may linger briefly after the old process died
            try:
                return self.start()
            except RuntimeError:
                if time.time() >= deadline:
                    raise

    def close(self):
        self.stop()
        if self.dir is not None:
            shutil.rmtree(self.dir, ignore_errors=True)
            self.dir = None

    def output(self):
        try:
            return (self.dir / "smtp-sink.out").read_text(errors="replace")
        except (OSError, TypeError):
            return ""

    def messages(self):
        """The dumped messages (smtp-sink's X-Mail-Args/X-Rcpt-Args/Received lines, then
        the message as received), oldest first."""
        if self.dir is None or not self.dump_dir.exists():
            return []
        return [p.read_bytes() for p in sorted(self.dump_dir.rglob("*")) if p.is_file()]

    def messages_with(self, marker):
        marker = marker.encode() if isinstance(marker, str) else marker
        return [m for m in self.messages() if marker in m]

    def wait_message_with(self, marker, timeout=30):
        """The one dumped message that contains MARKER, once it is complete."""
        found = poll(f"smtp-sink to receive a message with {marker!r}",
                     lambda: [m for m in self.messages_with(marker) if m.endswith(b"\n\n") or m.endswith(b"\r\n\r\n")],
                     timeout)
        return found[0]

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()


def sink_envelope(dump):
    """(mail_args, [rcpt_args]) of one smtp-sink dump."""
    text = dump.decode(errors="replace")
    mail = re.search(r"^X-Mail-Args: (.*)$", text, re.M)
    rcpts = re.findall(r"^X-Rcpt-Args: (.*)$", text, re.M)
    return (mail.group(1).strip() if mail else None), [r.strip() for r in rcpts]


# --------------------------------------------------------------------------------------
class TestCA:
    """A throw-away certificate authority (openssl) and server certificates it signs."""
    __test__ = False  # not a pytest test class

    def __init__(self, directory, name="Postern Test CA"):
        self.dir = Path(directory)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.cert = self.dir / "ca.pem"
        self.key = self.dir / "ca.key"
        self._run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                   "-nodes", "-days", "2", "-subj", f"/CN={name}",
                   "-addext", "basicConstraints=critical,CA:TRUE",
                   "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                   "-keyout", str(self.key), "-out", str(self.cert)])

    def _run(self, argv):
        res = subprocess.run(argv, capture_output=True, text=True, timeout=60)
        if res.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} failed: {res.stderr}")

    def issue(self, stem, *names):
        """A server certificate for the DNS NAMES (first is the CN); returns (cert, key)."""
        key, csr, cert = self.dir / f"{stem}.key", self.dir / f"{stem}.csr", self.dir / f"{stem}.pem"
        ext = self.dir / f"{stem}.ext"
        ext.write_text("basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n"
                       "extendedKeyUsage=serverAuth\nsubjectAltName=" + ",".join(f"DNS:{n}" for n in names) + "\n")
        self._run(["openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
                   "-nodes", "-subj", f"/CN={names[0]}", "-keyout", str(key), "-out", str(csr)])
        self._run(["openssl", "x509", "-req", "-in", str(csr), "-CA", str(self.cert), "-CAkey", str(self.key),
                   "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(cert)])
        return cert, key


# --------------------------------------------------------------------------------------
_MASTER_CF_BASE = """\
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
local     unix  -       n       n       -       -       local
virtual   unix  -       n       n       -       -       virtual
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class PostfixSmarthost:
    """A private Postfix instance on loopback acting as an authenticated smart host.

    Listeners (each on its own free 127.0.0.1 port, see .ports):
      starttls  - STARTTLS required (smtpd_tls_security_level=encrypt), AUTH only after TLS,
                  relays only for SASL-authenticated clients; certificate for NAMES.
      implicit  - the same behind implicit TLS (smtpd_tls_wrappermode=yes).
      wrongname - like starttls, but its certificate names only wrong.test.
      plain     - offers neither STARTTLS nor AUTH and relays for 127.0.0.0/8: had a
                  client sent mail here in clear, it would have arrived.
      loginonly - like starttls, but offers only AUTH LOGIN.
    Mail for DOMAIN is delivered into one Maildir (see messages());
    recipients whose local part starts with "hard" get 550, with "soft" 450 at RCPT.
    Users: {"name@realm": password} in a Cyrus sasldb (mech_list PLAIN LOGIN).

    Debian's Postfix (patch 07_sasl_config) makes Cyrus read smtpd.conf from
    $config_directory/sasl/ and ignores cyrus_sasl_config_path, so the SASL files live in
    etc/sasl/ of the private instance; nothing is written under /etc."""

    def __init__(self, users=None, domain="remote.test", hostname="smarthost.test",
                 names=("smarthost.test", "localhost")):
        self.users = users or {"relay@smarthost.test": "Relay-Pa55-s3cret"}
        self.domain = domain
        self.hostname = hostname
        self.names = names
        self.dir = None
        self.ports = {}
        self.started = False

    # -- paths -------------------------------------------------------------------------
    @property
    def etc(self):
        return self.dir / "etc"

    @property
    def mail_dir(self):
        return self.dir / "mail"

    @property
    def maillog(self):
        return self.dir / "log" / "maillog"

    @property
    def ca_file(self):
        return self.ca.cert

    def start(self):
        self.dir = Path(tempfile.mkdtemp(prefix="postern-postfix-"))
        try:
            self._configure()
            self._run_postfix("start")
            self.started = True
            for name, port in self.ports.items():
                wait_banner(port, timeout=30, implicit_tls=(name == "implicit"), proc_alive=self.master_alive)
        except Exception:
            self.close()
            raise
        return self

    def _configure(self):
        d = self.dir
        os.chmod(d, 0o755)  # postfix's daemons and virtual(8) (as nobody) traverse it
        for sub in ("etc", "etc/sasl", "queue", "data", "log", "mail", "tls"):
            (d / sub).mkdir()
        shutil.chown(d / "data", "postfix", "postfix")
        shutil.chown(d / "mail", 65534, 65534)  # virtual(8) delivers as nobody:nogroup

        self.ca = TestCA(d / "tls")
        cert, key = self.ca.issue("server", *self.names)
        wrong_cert, wrong_key = self.ca.issue("wrong", "wrong.test")

        # Cyrus SASL: sasldb with the users, read by smtpd (running as postfix, no chroot).
        sasldb = d / "etc" / "sasl" / "sasldb2"
        for user, password in self.users.items():
            name, _, realm = user.partition("@")
            argv = [SASLPASSWD2, "-f", str(sasldb), "-p", "-c", name] if not realm else \
                   [SASLPASSWD2, "-f", str(sasldb), "-p", "-u", realm, "-c", name]
            res = subprocess.run(argv, input=password, capture_output=True, text=True, timeout=30)
            if res.returncode != 0:
                raise RuntimeError(f"saslpasswd2 failed: {res.stderr}")
        shutil.chown(sasldb, "postfix", "postfix")
        os.chmod(sasldb, 0o640)
        (d / "etc" / "sasl" / "smtpd.conf").write_text(
            f"pwcheck_method: auxprop\nauxprop_plugin: sasldb\nsasldb_path: {sasldb}\nmech_list: PLAIN LOGIN\n")

        (d / "etc" / "rcpt_access").write_text("/^hard/ 550 5.1.1 hard-rejected: no such user here\n"
                                               "/^soft/ 450 4.2.1 soft-rejected: mailbox busy, try later\n")
        for name in ("starttls", "implicit", "wrongname", "plain", "loginonly"):
            self.ports[name] = free_port()

        (d / "etc" / "main.cf").write_text(f"""\
compatibility_level = 3.6
config_directory = {d}/etc
queue_directory = {d}/queue
data_directory = {d}/data
meta_directory = /etc/postfix
maillog_file = {self.maillog}
maillog_file_prefixes = {d}/log
syslog_name = postfix-postern-e2e
myhostname = {self.hostname}
mydomain = smarthost.test
myorigin = $myhostname
mydestination =
inet_interfaces = {LOOPBACK}
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
relayhost =
relay_domains =
default_transport = error:no outbound mail from the test smart host
biff = no
append_dot_mydomain = no
smtputf8_enable = no
alias_maps =
alias_database =
local_recipient_maps =
virtual_mailbox_domains = {self.domain}
virtual_mailbox_base = {d}/mail
virtual_mailbox_maps = static:{self.domain}/inbox/
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
smtpd_tls_cert_file = {cert}
smtpd_tls_key_file = {key}
smtpd_tls_security_level = encrypt
smtpd_tls_auth_only = yes
smtpd_tls_received_header = yes
smtpd_tls_loglevel = 1
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = cyrus
smtpd_sasl_path = smtpd
cyrus_sasl_config_path = {d}/etc/sasl
smtpd_sasl_authenticated_header = yes
smtpd_sasl_security_options = noanonymous
smtpd_relay_restrictions = permit_sasl_authenticated, reject
smtpd_recipient_restrictions = check_recipient_access regexp:{d}/etc/rcpt_access
smtpd_error_sleep_time = 0
smtpd_soft_error_limit = 100
smtpd_hard_error_limit = 100
""")
        services = (
            f"{LOOPBACK}:{self.ports['starttls']} inet n - n - - smtpd\n"
            f"{LOOPBACK}:{self.ports['implicit']} inet n - n - - smtpd\n"
            f"  -o smtpd_tls_wrappermode=yes\n"
            f"{LOOPBACK}:{self.ports['wrongname']} inet n - n - - smtpd\n"
            f"  -o smtpd_tls_cert_file={wrong_cert}\n  -o smtpd_tls_key_file={wrong_key}\n"
            f"{LOOPBACK}:{self.ports['plain']} inet n - n - - smtpd\n"
            f"  -o smtpd_tls_security_level=none\n  -o smtpd_sasl_auth_enable=no\n"
            f"  -o smtpd_relay_restrictions=permit_mynetworks,reject\n"
            f"{LOOPBACK}:{self.ports['loginonly']} inet n - n - - smtpd\n"
            f"  -o smtpd_sasl_mechanism_filter=login\n"
        )
        (d / "etc" / "master.cf").write_text(services + _MASTER_CF_BASE)

    def _run_postfix(self, verb, check=True):
        res = subprocess.run([POSTFIX, "-c", str(self.etc), verb], capture_output=True, text=True, timeout=60)
        if check and res.returncode != 0:
            raise RuntimeError(f"postfix {verb} failed ({res.returncode}): {res.stdout}{res.stderr}\n{self.log()}")
        return res

    def master_pid(self):
        try:
            pid = int((self.dir / "queue" / "pid" / "master.pid").read_text().strip())
            os.kill(pid, 0)
            return pid
        except (OSError, ValueError, TypeError):
            return None

    def master_alive(self):
        return self.master_pid() is not None or not self.started

    def stop(self):
        if not self.started or self.dir is None:
            return
        pid = self.master_pid()
        self._run_postfix("stop", check=False)
        deadline = time.time() + 15
        while pid and time.time() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.1)
        else:
            if pid:
                self._run_postfix("abort", check=False)
                try:
                    os.kill(pid, signal.SIGKILL)
                except OSError:
                    pass
        self.started = False

    def close(self):
        try:
            self.stop()
        finally:
            if self.dir is not None:
                shutil.rmtree(self.dir, ignore_errors=True)
                self.dir = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # -- what arrived --------------------------------------------------------------------
    def log(self):
        try:
            return self.maillog.read_text(errors="replace")
        except (OSError, TypeError):
            return ""

    def messages(self, rcpt=None, marker=None):
        """Messages delivered (all recipients share one Maildir; virtual(8) adds a
        Delivered-To header per recipient), optionally only those for RCPT and/or those
        containing MARKER, oldest first."""
        box = self.mail_dir / self.domain / "inbox" / "new"
        if not box.is_dir():
            return []
        out = []
        for p in sorted(box.iterdir(), key=lambda p: p.stat().st_mtime_ns):
            data = p.read_bytes()
            if rcpt and f"Delivered-To: {rcpt}\n".lower().encode() not in data.lower():
                continue
            if marker and (marker.encode() if isinstance(marker, str) else marker) not in data:
                continue
            out.append(data)
        return out

    def wait_messages(self, rcpt=None, marker=None, count=1, timeout=30):
        return poll(f"{count} message(s) for {rcpt} with {marker!r} at the smart host",
                    lambda: (lambda m: m if len(m) >= count else None)(self.messages(rcpt, marker)), timeout)

    def wait_log(self, pattern, timeout=30):
        return poll(f"Postfix log to match {pattern!r}",
                    lambda: re.search(pattern, self.log(), re.M), timeout)

    def sessions(self):
        """Postfix's "disconnect from ..." lines (one per SMTP session, with the command
        counts, e.g. "ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=1 quit=1 commands=8")."""
        return re.findall(r"^.*postfix-postern-e2e/smtpd\[\d+\]: disconnect from .*$", self.log(), re.M)


# --------------------------------------------------------------------------------------
# Postern's side of the outbound tests.
SENDER = "alice@example.test"   # a local user: bounces land in her Maildir
SENDER_PASSWORD = "alice-secret-1"


def outbound_daemon(daemon_factory, start=True, **settings):
    """A Postern hosting example.test (user alice, hostname mail.example.test) that sends
    remote mail through a smart host given by SETTINGS (`__` for dots). 127.0.0.1 is in
    network.lan (the default), so the tests' clients may relay without credentials."""
    d = daemon_factory(start=False)
    d.add_domain("example.test")
    d.add_user(SENDER, SENDER_PASSWORD)
    base = dict(smtp__hostname="mail.example.test", delivery__mode="smarthost",
                delivery__smarthost_host=LOOPBACK, delivery__connect_timeout_s=5,
                delivery__command_timeout_s=20, queue__retry_min_s=3600, queue__retry_max_s=3600)
    base.update(settings)
    d.set(**base)
    if start:
        d.start()
    return d


def send(d, rcpts, sender=SENDER, subject="outbound test", extra_headers="", body="Hello from Postern.\r\n"):
    """Submits one message from 127.0.0.1 (LAN); returns (queue id, marker) where marker
    is the message's unique Message-ID."""
    import uuid
    marker = f"<{uuid.uuid4().hex}@mail.example.test>"
    rcpts = [rcpts] if isinstance(rcpts, str) else list(rcpts)
    msg = (f"From: <{sender or 'mailer-daemon@example.test'}>\r\nTo: " + ", ".join(f"<{r}>" for r in rcpts) +
           f"\r\nSubject: {subject}\r\nMessage-ID: {marker}\r\n{extra_headers}\r\n{body}")
    with d.smtp() as s:
        s.ehlo("client.test")
        code, text = s.mail(f"<{sender}>" if sender else "<>")
        assert code == 250, text
        for r in rcpts:
            code, text = s.rcpt(f"<{r}>")
            assert code == 250, (r, code, text)
        code, text = s.data(msg.encode())
        assert code == 250, text
    m = re.search(rb"queued as (\S+)", text)
    assert m, text
    return m.group(1).decode(), marker


def queue_lines(d, qid):
    return [line for line in d.queue_list() if line.startswith(qid + " ")]


def wait_delivery(d, qid, rcpt, status, timeout=30):
    """Waits for delivery.log to say STATUS for QID/RCPT; returns that log line. Fails at
    once when the recipient reaches another final status (sent, bounced or expired)."""
    line_re = re.compile(rf"(?m)^.*{re.escape(qid)} to=<{re.escape(rcpt)}> route=\S+ status=(\w+)\b.*$")
    deadline = time.time() + timeout
    while True:
        lines = list(line_re.finditer(d.log("delivery.log")))
        for m in lines:
            if m.group(1) == status:
                return m.group(0)
        final = [m.group(0) for m in lines if m.group(1) in ("sent", "bounced", "expired")]
        if final:
            raise AssertionError(f"expected status={status} for {rcpt}, got: {final[-1]}")
        if time.time() >= deadline:
            raise AssertionError(f"no status={status} for {qid} {rcpt} within {timeout}s; delivery.log:\n"
                                 + d.log("delivery.log")[-3000:])
        time.sleep(0.05)


def delivery_lines(d, qid):
    return [line for line in d.log("delivery.log").splitlines() if f" {qid} " in line]


def postern_texts(d):
    """Everything Postern wrote: all of DATA_DIR/log/* and the daemon's stdout/stderr."""
    texts = {"serve.out": d.output()}
    log_dir = d.data_dir / "log"
    if log_dir.is_dir():
        for p in log_dir.iterdir():
            if p.is_file():
                texts[p.name] = p.read_text(errors="replace")
    return texts


class LogView:
    """A Postfix instance as one test sees it: its log from the test's start on."""

    def __init__(self, pf):
        self.pf = pf
        self.start = len(pf.log())

    def __getattr__(self, name):
        return getattr(self.pf, name)

    def log(self):
        return self.pf.log()[self.start:]

    def wait_log(self, pattern, timeout=30):
        return poll(f"Postfix log to match {pattern!r}", lambda: re.search(pattern, self.log(), re.M), timeout)

    def sessions(self):
        """smtpd's "disconnect from" lines since the test started: one per SMTP session,
        with its command counts ("ehlo=2 starttls=1 auth=1 mail=1 rcpt=1 data=1 ...")."""
        return re.findall(r"(?m)^.*/smtpd\[\d+\]: disconnect from .*$", self.log())

    def wait_sessions_ended(self, timeout=20):
        """Until Postfix has logged the end of every session it logged the start of. A
        daemon keeps its connections a moment after its last message and closes them when it
        stops; without this wait the next test's view could start before Postfix logs that
        disconnect, and count a session that is not its own."""
        def balanced():
            log = self.pf.log()
            return len(re.findall(r"/smtpd\[\d+\]: connect from ", log)) <= len(
                re.findall(r"/smtpd\[\d+\]: disconnect from ", log))
        poll("Postfix to log the end of every session", balanced, timeout)

    def postern_sessions(self, count=1, timeout=20):
        """Postern's sessions (our own banner probes only send QUIT), once there are at
        least COUNT: Postfix may log the disconnect after Postern logged its result."""
        return poll(f"{count} SMTP session(s) in the Postfix log",
                    lambda: (lambda s: s if len(s) >= count else None)(
                        [s for s in self.sessions() if "ehlo=" in s]), timeout)

"""Peers for the MTA-STS and RequireTLS end-to-end tests, written for these tests and run
on loopback only:

- PolicyServer: an HTTPS server (python3 http.server + ssl) on 127.0.0.x, with a
  certificate from peers.TestCA, answering GET /.well-known/mta-sts.txt per Host header
  with whatever the test scripts: a good policy, 404, a redirect, a wrong media type, an
  oversize body. It records the requests it saw.
- TestMx: a small threaded SMTP server on 127.0.0.x:PORT (every MX of a test shares the
  port delivery.mx_port names, each on its own loopback address) that offers or withholds
  STARTTLS, presents a chosen certificate and may advertise REQUIRETLS. It records every
  transaction: MAIL arguments, recipients, whether it came over TLS, the message.

Postfix (peers.py) cannot advertise REQUIRETLS nor be several MX hosts on one port, hence
these. Both are context managers and clean up after themselves.
"""
import http.server
import socket
import socketserver
import ssl
import threading

from peers import poll


class PolicyServer:
    """HTTPS on ADDRESS:PORT. routes: {host: (status, content_type, body, extra_headers)}."""

    def __init__(self, address, port, cert, key):
        self.address, self.port = address, port
        self.routes = {}
        self.requests = []  # (host, path)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"  # so that chunked bodies can be served

            def do_GET(self):
                host = (self.headers.get("Host") or "").split(":")[0].lower()
                outer.requests.append((host, self.path))
                status, ctype, body, extra = outer.routes.get(host, (404, "text/plain", "not here\n", {}))
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                if ctype:
                    self.send_header("Content-Type", ctype)
                for k, v in extra.items():
                    self.send_header(k, v)
                chunked = extra.get("Transfer-Encoding") == "chunked"
                if not chunked:
                    self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                if chunked:
                    for i in range(0, len(data), 1000):
                        piece = data[i:i + 1000]
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                    self.wfile.write(b"0\r\n\r\n")
                else:
                    self.wfile.write(data)
                self.close_connection = True

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer((address, port), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(str(cert), str(key))
        self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def serve(self, host, body, status=200, content_type="text/plain", **headers):
        self.routes[host] = (status, content_type, body, headers)

    def fetched(self, host):
        return [r for r in self.requests if r[0] == host]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


class TestMx:
    """SMTP on ADDRESS:PORT; starttls: offer STARTTLS with (cert, key); requiretls:
    advertise REQUIRETLS after STARTTLS. .transactions lists dicts with mail, rcpts, tls, data."""
    __test__ = False

    def __init__(self, address, port, hostname, tls=None, requiretls=False):
        self.address, self.port, self.hostname = address, port, hostname
        self.tls = tls
        self.requiretls = requiretls
        self.transactions = []
        self.sessions = 0
        outer = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                outer.sessions += 1
                sock, rfile = self.connection, self.rfile
                secure = False
                state = {}

                def send(line):
                    sock.sendall((line + "\r\n").encode())

                send(f"220 {outer.hostname} ESMTP test MX")
                while True:
                    line = rfile.readline()
                    if not line:
                        return
                    cmd = line.decode(errors="replace").rstrip("\r\n")
                    verb = cmd.split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        ext = [outer.hostname, "PIPELINING", "8BITMIME"]
                        if outer.tls and not secure:
                            ext.append("STARTTLS")
                        if secure and outer.requiretls:
                            ext.append("REQUIRETLS")
                        for i, e in enumerate(ext):
                            send(("250 " if i == len(ext) - 1 else "250-") + e)
                    elif verb == "STARTTLS" and outer.tls and not secure:
                        send("220 2.0.0 go ahead")
                        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
                        ctx.load_cert_chain(str(outer.tls[0]), str(outer.tls[1]))
                        try:
                            sock = ctx.wrap_socket(sock, server_side=True)
                        except (ssl.SSLError, OSError):
                            return  # the client rejected our certificate
                        rfile = sock.makefile("rb")
                        secure = True
                    elif verb == "MAIL":
                        state = {"mail": cmd[10:], "rcpts": [], "tls": secure}
                        send("250 2.1.0 ok")
                    elif verb == "RCPT":
                        state.setdefault("rcpts", []).append(cmd[8:])
                        send("250 2.1.5 ok")
                    elif verb == "DATA":
                        send("354 go on")
                        data = b""
                        while True:
                            l = rfile.readline()
                            if not l or l in (b".\r\n", b".\n"):
                                break
                            data += l
                        state["data"] = data
                        outer.transactions.append(state)
                        state = {}
                        send("250 2.0.0 queued")
                    elif verb == "QUIT":
                        send("221 2.0.0 bye")
                        return
                    elif verb == "RSET":
                        state = {}
                        send("250 2.0.0 ok")
                    else:
                        send("502 5.5.2 not implemented")

        class Server(socketserver.ThreadingTCPServer):
            allow_reuse_address = True
            daemon_threads = True

        self.server = Server((address, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def with_marker(self, marker):
        return [t for t in self.transactions if marker.encode() in t.get("data", b"")]

    def wait_marker(self, marker, timeout=30):
        return poll(f"{self.hostname} to receive {marker}", lambda: self.with_marker(marker), timeout)[0]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


def port_free_on(addresses, port):
    for a in addresses:
        with socket.socket() as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((a, port))
            except OSError:
                return False
    return True

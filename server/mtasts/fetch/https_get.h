// The one HTTP request MTA-STS needs (RFC 8461 §3.3): GET https://<host>/<path> over TLS
// with the certificate verified for <host> (the system CAs plus tls.ca_file), no redirects
// followed, the body capped, every step under a deadline. A minimal HTTP/1.1 client
// (Connection: close; Content-Length, chunked or read-to-close bodies), deliberately
// restricted to this single GET: it is not a general HTTP library.
// Collaborators: net::connect_tcp and net::Transport (TLS, reads with deadlines).
// Error contract: never throws for network or protocol trouble; the result says what
// happened (`error` is set whenever `ok()` is false).
// Threading: a call uses only its arguments.
#pragma once
#include <openssl/ssl.h>

#include <string>

namespace postern::mtasts {

struct HttpsRequest {
  std::string ip;    // where to connect
  int port = 443;
  std::string host;  // SNI, Host header and the name the certificate must carry
  std::string path;
  int timeout_ms = 30000;       // each of connect, handshake and every read
  size_t max_body = 64 * 1024;  // a larger body is an error
};

struct HttpsResponse {
  int status = 0;  // 0 when no HTTP response was read
  std::string content_type;
  std::string body;
  std::string error;  // why the fetch failed (empty when a response was read completely)
  bool certificate_invalid = false;  // the failure was the server's certificate (RFC 8460 sts-webpki-invalid)
  bool ok() const { return error.empty() && status == 200; }
};

HttpsResponse https_get(const HttpsRequest& req, SSL_CTX* ctx);

}  // namespace postern::mtasts

#include "mtasts/fetch/https_get.h"

#include <openssl/x509.h>

#include "net/connect.h"
#include "net/transport.h"
#include "util/strings.h"

namespace postern::mtasts {

namespace {

std::string chomp(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

// Reads one CRLF line of the response head; false on timeout, close or an over-long line.
bool head_line(net::Transport& io, std::string& line, int timeout_ms) {
  if (io.read_line(line, 8192, timeout_ms, false) != net::ReadStatus::Line) return false;
  line = chomp(line);
  return true;
}

bool read_exact(net::Transport& io, size_t n, std::string& out, int timeout_ms) {
  std::string chunk;
  while (n > 0) {
    if (io.read_some(chunk, n, timeout_ms) != net::ReadStatus::Line) return false;
    out += chunk;
    n -= chunk.size();
  }
  return true;
}

}  // namespace

HttpsResponse https_get(const HttpsRequest& req, SSL_CTX* ctx) {
  HttpsResponse r;
  std::string where = req.host + "[" + req.ip + "]:" + std::to_string(req.port);
  std::string error;
  int fd = net::connect_tcp(req.ip, req.port, req.timeout_ms, error);
  if (fd < 0) {
    r.error = "cannot connect to " + where + ": " + error;
    return r;
  }
  net::Transport io(fd, -1);
  if (!io.start_tls_client(ctx, req.host, req.timeout_ms)) {
    r.error = "TLS handshake with " + where + " failed";
    return r;
  }
  if (!io.verified()) {
    r.certificate_invalid = true;
    r.error = "certificate of " + where + " does not verify for " + req.host + ": " +
              X509_verify_cert_error_string(io.verify_error());
    return r;
  }
  if (!io.write("GET " + req.path + " HTTP/1.1\r\nHost: " + req.host +
                    "\r\nUser-Agent: Postern MTA-STS\r\nAccept: text/plain\r\nConnection: close\r\n\r\n",
                req.timeout_ms)) {
    r.error = "connection to " + where + " lost while sending the request";
    return r;
  }
  std::string line;
  if (!head_line(io, line, req.timeout_ms) || line.compare(0, 5, "HTTP/") != 0 || line.size() < 12) {
    r.error = "no HTTP response from " + where;
    return r;
  }
  long long status = 0;
  if (!util::parse_int(line.substr(9, 3), status)) {
    r.error = "malformed HTTP status line from " + where;
    return r;
  }
  r.status = int(status);
  long long length = -1;
  bool chunked = false;
  for (int headers = 0;; ++headers) {
    if (headers > 100 || !head_line(io, line, req.timeout_ms)) {
      r.error = "malformed HTTP header section from " + where;
      return r;
    }
    if (line.empty()) break;
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    auto name = util::trim(std::string_view(line).substr(0, colon));
    auto value = std::string(util::trim(std::string_view(line).substr(colon + 1)));
    if (util::iequals(name, "Content-Type")) r.content_type = value;
    if (util::iequals(name, "Content-Length") && !util::parse_int(value, length)) {
      r.error = "bad Content-Length from " + where;
      return r;
    }
    if (util::iequals(name, "Transfer-Encoding") && util::to_lower(value).find("chunked") != std::string::npos) chunked = true;
  }
  // Only a 200's body matters; redirects (3xx) are never followed (§3.3).
  if (r.status != 200) return r;
  auto too_big = [&] {
    r.error = "policy from " + where + " is larger than " + std::to_string(req.max_body) + " bytes";
    return r;
  };
  if (chunked) {
    for (;;) {
      if (!head_line(io, line, req.timeout_ms)) {
        r.error = "truncated chunked body from " + where;
        return r;
      }
      size_t size = 0;
      try {
        size = std::stoul(line.substr(0, line.find(';')), nullptr, 16);
      } catch (const std::exception&) {
        r.error = "bad chunk size from " + where;
        return r;
      }
      if (size == 0) break;
      if (r.body.size() + size > req.max_body) return too_big();
      if (!read_exact(io, size, r.body, req.timeout_ms) || !head_line(io, line, req.timeout_ms)) {
        r.error = "truncated chunked body from " + where;
        return r;
      }
    }
  } else if (length >= 0) {
    if (size_t(length) > req.max_body) return too_big();
    if (!read_exact(io, size_t(length), r.body, req.timeout_ms)) r.error = "truncated body from " + where;
  } else {
    std::string chunk;
    for (;;) {
      auto st = io.read_some(chunk, 16384, req.timeout_ms);
      if (st == net::ReadStatus::Closed) break;
      if (st != net::ReadStatus::Line) {
        r.error = "body from " + where + " did not end";
        return r;
      }
      r.body += chunk;
      if (r.body.size() > req.max_body) return too_big();
    }
  }
  return r;
}

}  // namespace postern::mtasts

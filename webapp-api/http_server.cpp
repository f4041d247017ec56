#include "http_server.h"

#include <civetweb.h>
#include <dlfcn.h>
#include <openssl/ssl.h>

#include <cstring>
#include <filesystem>
#include <mutex>

#include "log/log.h"

namespace postern::webapi {

namespace {
const char* kPlaceholder =
    "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Postern</title></head>"
    "<body><h1>Postern</h1><p>The control panel is not installed in this build. "
    "The admin API answers under <code>/api/v1</code>.</p></body></html>";

const char* reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 429: return "Too Many Requests";
    default: return status >= 500 ? "Internal Server Error" : "Error";
  }
}

// Headers every answer carries: nothing cached, no sniffing, no framing by other sites.
const char* kCommonHeaders =
    "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
    "Referrer-Policy: no-referrer\r\nConnection: close\r\n";

void send(mg_connection* conn, const Response& r) {
  // Text from outside (log lines, names in refusals) may not be UTF-8: replaced, never a throw.
  std::string body = r.body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + reason(r.status) +
                     "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
                     kCommonHeaders;
  for (const auto& h : r.headers) head += h + "\r\n";
  head += "\r\n";
  mg_write(conn, head.data(), head.size());
  mg_write(conn, body.data(), body.size());
}

std::string listener_text(const config::ListenAddress& a, bool tls) {
  return a.host + ":" + std::to_string(a.port) + (tls ? "s" : "");
}

std::map<std::string, std::string> parse_query(const char* query) {
  std::map<std::string, std::string> out;
  if (!query) return out;
  std::string q = query;
  size_t start = 0;
  while (start <= q.size()) {
    auto end = q.find('&', start);
    if (end == std::string::npos) end = q.size();
    auto item = q.substr(start, end - start);
    auto eq = item.find('=');
    std::string key = item.substr(0, eq), value = eq == std::string::npos ? "" : item.substr(eq + 1);
    std::vector<char> k(key.size() + 1), v(value.size() + 1);
    if (!key.empty() && mg_url_decode(key.c_str(), int(key.size()), k.data(), int(k.size()), 1) >= 0 &&
        mg_url_decode(value.c_str(), int(value.size()), v.data(), int(v.size()), 1) >= 0)
      out[k.data()] = v.data();
    start = end + 1;
  }
  return out;
}
}  // namespace

HttpServer::HttpServer(Api& api) : api_(api) {
  static std::once_flag once;
  static unsigned features = 0;
  std::call_once(once, [] {
    // Our libssl.so (openssl_shim/) first, so CivetWeb's dlopen("libssl.so") finds it by
    // its soname instead of a bare OpenSSL 3 that lacks a 1.1 name CivetWeb needs.
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    auto shim = exe.parent_path().parent_path() / "lib" / "libssl.so";
    if (!ec && std::filesystem::exists(shim, ec) && !::dlopen(shim.c_str(), RTLD_NOW | RTLD_LOCAL))
      log::write(log::Service::Daemon, "-", std::string("admin HTTPS: ") + ::dlerror());
    features = mg_init_library(MG_FEATURES_TLS);
  });
  tls_available_ = (features & MG_FEATURES_TLS) != 0;
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::stop() {
  if (ctx_) mg_stop(ctx_);
  ctx_ = nullptr;
}

std::vector<std::string> HttpServer::start(const ServerOptions& options) {
  stop();
  options_ = options;
  std::vector<std::string> problems, ports;
  auto add = [&](const config::ListenAddress& a, bool tls) {
    if (a.host.find(':') != std::string::npos) {
      problems.push_back("cannot listen on admin [" + a.host + "]:" + std::to_string(a.port) +
                         ": this build's web server has no IPv6");
      return;
    }
    ports.push_back(listener_text(a, tls));
  };
  bool has_certificate = options.certificates && options.certificates->modern();
  policy_only_ports_.clear();
  if ((!options.https.empty() || !options.policy_only.empty()) && (!tls_available_ || !has_certificate)) {
    problems.push_back(std::string("cannot listen on admin HTTPS: ") +
                       (tls_available_ ? "no certificate" : "libssl.so / libcrypto.so could not be loaded"));
  } else {
    for (const auto& a : options.https) add(a, true);
    for (const auto& a : options.policy_only) {
      add(a, true);
      policy_only_ports_.push_back(a.port);
    }
  }
  for (const auto& a : options.plain) add(a, false);
  if (ports.empty()) return problems;

  std::string joined;
  for (const auto& p : ports) joined += (joined.empty() ? "" : ",") + p;
  const char* config[] = {"listening_ports", joined.c_str(),
                          "num_threads", "4",
                          "request_timeout_ms", "30000",
                          "enable_keep_alive", "no",
                          "ssl_protocol_version", "4",  // TLS 1.2 and later; the callback sets the same floor
                          nullptr};
  mg_callbacks callbacks{};
  callbacks.init_ssl = &HttpServer::on_init_ssl;
  callbacks.log_message = &HttpServer::on_log;
  mg_init_data init{&callbacks, this, config};
  char error_text[256] = {};
  unsigned error_code = 0;
  mg_error_data error{&error_code, error_text, sizeof error_text};
  ctx_ = mg_start2(&init, &error);
  if (!ctx_) {
    problems.push_back("cannot listen on admin " + joined + ": " + (error_text[0] ? error_text : "unknown error"));
    return problems;
  }
  mg_set_request_handler(ctx_, "/", &HttpServer::on_request, this);
  log::write(log::Service::Daemon, "-", "admin panel listening on " + joined);
  return problems;
}

int HttpServer::on_init_ssl(void* ssl_ctx, void* self) {
  auto* server = static_cast<HttpServer*>(self);
  try {
    // The same store and protocol policy as the mail listeners, so all present the same
    // certificate; each handshake takes the current one (CertificateStore::attach).
    // XXX: CivetWeb was built for the OpenSSL 1.1 ABI, where SSL_CTX_set_options takes an
    // unsigned long; on 32-bit ARM OpenSSL 3 reads a 64-bit value, so whatever CivetWeb set
    // is cleared here and Postern's own options apply.
    SSL_CTX_clear_options(static_cast<SSL_CTX*>(ssl_ctx), ~uint64_t(0));
    if (!server->options_.certificates) throw std::runtime_error("no certificate store");
    server->options_.certificates->attach(static_cast<SSL_CTX*>(ssl_ctx));
    return 1;
  } catch (const std::exception& e) {
    log::write(log::Service::Daemon, "-", std::string("admin HTTPS: ") + e.what());
    return -1;
  }
}

int HttpServer::on_log(const mg_connection*, const char* message) {
  log::write(log::Service::Daemon, "-", std::string("admin web server: ") + message);
  return 1;
}

int HttpServer::on_request(mg_connection* conn, void* self) {
  try {
    return static_cast<HttpServer*>(self)->handle(conn);
  } catch (const std::exception& e) {
    log::write(log::Service::Daemon, "-", std::string("admin request failed: ") + e.what());
    Response r;
    r.status = 500;
    r.body = {{"error", "internal error"}};
    send(conn, r);
    return 500;
  }
}

int HttpServer::handle(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  std::string path = info->local_uri ? info->local_uri : "/";
  std::string method = info->request_method ? info->request_method : "";
  if (path == "/.well-known/mta-sts.txt") {
    serve_mta_sts(conn, method);
    return 200;
  }
  for (int port : policy_only_ports_) {
    if (info->server_port == port) {
      serve_static(conn, "/-/not-found");  // a 404: this listener serves the policy only
      return 404;
    }
  }
  if (path != Api::kBase && path.rfind(std::string(Api::kBase) + "/", 0) != 0) {
    serve_static(conn, path);
    return 200;
  }
  Request req;
  req.method = info->request_method ? info->request_method : "";
  req.path = path;
  req.query = parse_query(info->query_string);
  req.remote_ip = info->remote_addr;
  req.https = info->is_ssl != 0;
  if (const char* c = mg_get_header(conn, "Cookie")) req.cookie = c;
  if (const char* t = mg_get_header(conn, "X-CSRF-Token")) req.csrf = t;

  size_t limit = options_.max_body_bytes;
  auto too_large = [&] {
    Response r;
    r.status = 413;
    r.body = {{"error", "request body larger than " + std::to_string(limit / 1024) + " KB (admin.max_body_kb)"}};
    send(conn, r);
    return 413;
  };
  if (info->content_length > 0 && static_cast<unsigned long long>(info->content_length) > limit) return too_large();
  char buf[8192];
  for (;;) {
    int n = mg_read(conn, buf, sizeof buf);
    if (n <= 0) break;
    req.body.append(buf, size_t(n));
    if (req.body.size() > limit) return too_large();
  }
  auto response = api_.handle(req);
  send(conn, response);
  return response.status;
}

void HttpServer::serve_mta_sts(mg_connection* conn, const std::string& method) {
  const char* host = mg_get_header(conn, "Host");
  std::optional<std::string> policy;
  if (method == "GET" || method == "HEAD") policy = api_.mta_sts_policy(host ? host : "");
  std::string status = policy ? "200 OK" : method == "GET" || method == "HEAD" ? "404 Not Found" : "405 Method Not Allowed";
  std::string body = policy ? *policy : "no MTA-STS policy here\n";
  // RFC 8461 §3.3: the media type is text/plain; senders cache by max_age, not by HTTP headers.
  std::string head = "HTTP/1.1 " + status + "\r\nContent-Type: text/plain\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n" + kCommonHeaders + "\r\n";
  mg_write(conn, head.data(), head.size());
  if (method != "HEAD") mg_write(conn, body.data(), body.size());
}

void HttpServer::serve_static(mg_connection* conn, const std::string& path) {
  std::string relative = path == "/" ? "/index.html" : path;
  // local_uri is already cleaned of "." and ".." by CivetWeb; refuse anything odd anyway.
  bool safe = relative.find("..") == std::string::npos && relative.find('\0') == std::string::npos;
  std::string file = options_.ui_dir + relative;
  std::error_code ec;
  if (safe && !options_.ui_dir.empty() && std::filesystem::is_regular_file(file, ec)) {
    mg_send_mime_file2(conn, file.c_str(), nullptr,
                       "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"
                       "Content-Security-Policy: default-src 'self'; frame-ancestors 'none'\r\n");
    return;
  }
  bool index = relative == "/index.html";
  std::string body = index ? kPlaceholder : "not found";
  std::string head = std::string("HTTP/1.1 ") + (index ? "200 OK" : "404 Not Found") +
                     "\r\nContent-Type: " + (index ? "text/html; charset=utf-8" : "text/plain") +
                     "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + kCommonHeaders +
                     "Content-Security-Policy: default-src 'none'\r\n\r\n";
  mg_write(conn, head.data(), head.size());
  mg_write(conn, body.data(), body.size());
}

}  // namespace postern::webapi

// The admin panel's web server: CivetWeb inside the daemon, HTTPS on admin.listen with the
// daemon's certificate, plain HTTP on admin.plain_http_listen (loopback only, checked by the
// registry). /api/v1/... goes to webapi::Api; /.well-known/mta-sts.txt is the published
// MTA-STS policy (no session: senders fetch it); everything else is the applet's static files
// from the UI folder (a placeholder page when no applet is built). Listeners in
// mta_sts_publish.listen answer only the policy, so a reverse proxy on 443 exposes nothing else.
// The HTTPS certificate comes from the daemon's tls::CertificateStore at each handshake, so a
// new certificate needs no restart and in-flight requests finish on the old one.
// CivetWeb loads OpenSSL at run time as libssl.so / libcrypto.so (the package ships them
// under those names); without them only the plain listeners start.
// XXX: Debian's CivetWeb is built without IPv6; [v6]:port listeners are skipped with a log line.
// Errors: start() returns one message per problem ("cannot listen on admin ..."); it never throws.
// Threading: start()/stop() from the daemon's main thread only (stop joins CivetWeb's workers).
#pragma once
#include <string>
#include <vector>

#include "api.h"
#include "config/snapshot.h"
#include "tls/certificate_store.h"

struct mg_context;
struct mg_connection;

namespace postern::webapi {

struct ServerOptions {
  std::vector<config::ListenAddress> https, plain;
  std::vector<config::ListenAddress> policy_only;  // HTTPS, /.well-known/mta-sts.txt only
  tls::CertificateStore* certificates = nullptr;   // the daemon's; null: no HTTPS
  size_t max_body_bytes = 256 * 1024;
  std::string ui_dir;  // the applet's built files (index.html ...)
};

class HttpServer {
 public:
  explicit HttpServer(Api& api);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Stops any running server, then starts one with `options`.
  std::vector<std::string> start(const ServerOptions& options);
  void stop();

 private:
  static int on_request(mg_connection* conn, void* self);
  static int on_init_ssl(void* ssl_ctx, void* self);
  static int on_log(const mg_connection* conn, const char* message);
  int handle(mg_connection* conn);
  void serve_static(mg_connection* conn, const std::string& path);
  void serve_mta_sts(mg_connection* conn, const std::string& method);

  Api& api_;
  ServerOptions options_;
  mg_context* ctx_ = nullptr;
  bool tls_available_ = false;
  std::vector<int> policy_only_ports_;
};

}  // namespace postern::webapi

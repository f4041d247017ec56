// The one certificate store of the daemon: the chain and key in force, and the server
// contexts built from them for SMTP, IMAP and the admin HTTPS server.
// load() builds new contexts from the files and swaps them in only when all of them could be
// built, so a bad file leaves the previous certificate in force. Sessions hold a
// ServerContextPtr and keep the certificate they started with; the admin web server's own
// context (CivetWeb's) is attach()ed: every new handshake on it takes the current
// certificate and protocol floor, so a reload needs no restart and drops no request.
// Errors: load() throws std::runtime_error naming the file. Threading: every method may be
// called from any thread; the contexts handed out are immutable.
#pragma once
#include <openssl/ssl.h>

#include <mutex>
#include <optional>
#include <string>

#include "tls/certificate_info.h"
#include "tls/server_context.h"

namespace postern::tls {

class CertificateStore {
 public:
  void load(const std::string& cert_file, const std::string& key_file, const std::string& min_version);

  ServerContextPtr modern() const;  // null until a load() succeeded
  ServerContextPtr legacy() const;  // TLS 1.0+ for old LAN devices on submission
  std::optional<CertificateInfo> info() const;

  // Makes handshakes on a context this store did not build (CivetWeb's) use the current
  // certificate and the Modern protocol policy. `ctx` must outlive the store's use of it.
  void attach(SSL_CTX* ctx);

 private:
  static int on_client_hello(SSL* ssl, int* alert, void* self);

  mutable std::mutex mu_;
  ServerContextPtr modern_, legacy_;
  std::optional<CertificateInfo> info_;
  std::string min_version_ = "1.2";
};

// "the certificate expires in 12 days (2026-12-08T10:00:00Z)", or "... expired on ...", when
// fewer than `days` days are left at `now`; nullopt otherwise.
std::optional<std::string> expiry_warning(const CertificateInfo& info, long long now, int days = 30);
// Whole days left until expiry (negative once expired).
long long days_left(const CertificateInfo& info, long long now);

}  // namespace postern::tls

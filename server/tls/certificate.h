// The self-signed certificate Postern generates on first start, so STARTTLS and implicit
// TLS work out of the box. Only this module and server_context read private keys.
#pragma once
#include <string>

namespace postern::tls {

struct CertPaths {
  std::string cert;
  std::string key;
};

// Creates DIR/cert.pem and DIR/key.pem (mode 0600) for `hostname` when they do not exist
// yet; returns their paths. Throws std::runtime_error when OpenSSL or the disk fails.
CertPaths ensure_self_signed(const std::string& dir, const std::string& hostname);
// Writes a new pair over DIR/cert.pem and DIR/key.pem (the admin asked for a fresh one).
CertPaths generate_self_signed(const std::string& dir, const std::string& hostname);

}  // namespace postern::tls

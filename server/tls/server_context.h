// A server-side TLS context (certificate chain, private key, protocol floor), shared by
// every listener. Replaced as a whole when the admin changes the certificate settings;
// sessions keep the context they started with.
#pragma once
#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace postern::tls {

class ServerContext {
 public:
  // Throws std::runtime_error naming the file when the chain or key cannot be used.
  ServerContext(const std::string& cert_file, const std::string& key_file, const std::string& min_version);
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  SSL_CTX* raw() const { return ctx_; }

 private:
  SSL_CTX* ctx_ = nullptr;
};

// Loads the chain and key into `ctx` and sets the protocol floor and options every Postern
// server uses (SMTP listeners here, the admin HTTPS server through CivetWeb's callback).
// Throws std::runtime_error naming the file when the chain or key cannot be used.
void configure_server(SSL_CTX* ctx, const std::string& cert_file, const std::string& key_file,
                      const std::string& min_version);

using ServerContextPtr = std::shared_ptr<const ServerContext>;

}  // namespace postern::tls

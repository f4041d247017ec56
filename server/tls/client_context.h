// The TLS context for outbound connections: the system's trusted CAs (plus an optional
// extra CA file the admin or a test names), certificate checks computed but not enforced
// here — the caller decides per destination whether an unverified peer is acceptable
// (opportunistic TLS to MX hosts accepts it; a smart host with verification does not).
#pragma once
#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace postern::tls {

class ClientContext {
 public:
  // Throws std::runtime_error when `ca_file` is set but unusable.
  explicit ClientContext(const std::string& ca_file);
  ~ClientContext();
  ClientContext(const ClientContext&) = delete;
  ClientContext& operator=(const ClientContext&) = delete;
  SSL_CTX* raw() const { return ctx_; }

 private:
  SSL_CTX* ctx_ = nullptr;
};

using ClientContextPtr = std::shared_ptr<const ClientContext>;

}  // namespace postern::tls

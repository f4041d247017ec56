// Server-side TLS contexts and the protocol policy every Postern listener applies.
// Modern (the default everywhere): TLS 1.2 and later, forward-secret AEAD suites only, no
// compression, no renegotiation. Legacy (only for old LAN scanners and printers on the
// submission listeners, when tls.legacy_lan_submission is on): also TLS 1.0 and 1.1 with
// AES-CBC suites; RC4, 3DES, export and anonymous suites stay refused.
// A context is immutable once built; certificate changes build new ones (CertificateStore)
// and sessions keep the context they started with.
// Errors: constructors and configure_* throw std::runtime_error naming the file or setting.
#pragma once
#include <openssl/ssl.h>

#include <memory>
#include <string>

namespace postern::tls {

enum class Profile { Modern, Legacy };

class ServerContext {
 public:
  // `min_version` ("1.2" or "1.3") is the floor of the Modern profile; Legacy ignores it.
  ServerContext(const std::string& cert_file, const std::string& key_file, Profile profile,
                const std::string& min_version);
  ~ServerContext();
  ServerContext(const ServerContext&) = delete;
  ServerContext& operator=(const ServerContext&) = delete;

  SSL_CTX* raw() const { return ctx_; }
  Profile profile() const { return profile_; }

 private:
  SSL_CTX* ctx_ = nullptr;
  Profile profile_;
};

// Protocol floor, cipher lists, security level and options of `profile` on `ctx` (also used
// on CivetWeb's context for the admin HTTPS server). Throws when OpenSSL refuses the lists.
void configure_protocols(SSL_CTX* ctx, Profile profile, const std::string& min_version);

using ServerContextPtr = std::shared_ptr<const ServerContext>;

}  // namespace postern::tls

#include "tls/certificate_store.h"

#include <openssl/err.h>
#include <openssl/x509.h>

namespace postern::tls {

void CertificateStore::load(const std::string& cert_file, const std::string& key_file, const std::string& min_version) {
  auto modern = std::make_shared<const ServerContext>(cert_file, key_file, Profile::Modern, min_version);
  auto legacy = std::make_shared<const ServerContext>(cert_file, key_file, Profile::Legacy, min_version);
  auto info = describe_certificate_file(cert_file);
  std::lock_guard<std::mutex> lock(mu_);
  modern_ = modern;
  legacy_ = legacy;
  info_ = info;
  min_version_ = min_version;
}

ServerContextPtr CertificateStore::modern() const {
  std::lock_guard<std::mutex> lock(mu_);
  return modern_;
}

ServerContextPtr CertificateStore::legacy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return legacy_;
}

std::optional<CertificateInfo> CertificateStore::info() const {
  std::lock_guard<std::mutex> lock(mu_);
  return info_;
}

void CertificateStore::attach(SSL_CTX* ctx) {
  std::string floor;
  {
    std::lock_guard<std::mutex> lock(mu_);
    floor = min_version_;
  }
  configure_protocols(ctx, Profile::Modern, floor);
  // The context also gets the current pair directly, for a client the callback never sees.
  if (auto current = modern()) {
    STACK_OF(X509)* chain = nullptr;
    SSL_CTX_get0_chain_certs(current->raw(), &chain);
    SSL_CTX_use_cert_and_key(ctx, SSL_CTX_get0_certificate(current->raw()), SSL_CTX_get0_privatekey(current->raw()),
                             chain, 1);
  }
  // The ClientHello callback runs before the version is chosen and before CivetWeb's own SNI
  // callback; that one calls SSL_set_SSL_CTX with the connection's own context, a no-op, so
  // the certificate set here stays.
  SSL_CTX_set_client_hello_cb(ctx, &CertificateStore::on_client_hello, this);
}

int CertificateStore::on_client_hello(SSL* ssl, int*, void* self) {
  auto* store = static_cast<CertificateStore*>(self);
  ServerContextPtr current;
  std::string floor;
  {
    std::lock_guard<std::mutex> lock(store->mu_);
    current = store->modern_;
    floor = store->min_version_;
  }
  SSL_set_min_proto_version(ssl, floor == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  if (!current) return SSL_CLIENT_HELLO_SUCCESS;
  STACK_OF(X509)* chain = nullptr;
  SSL_CTX_get0_chain_certs(current->raw(), &chain);
  // Cleared first: a new key of another type (ECDSA after RSA) must not leave the old
  // certificate in its own slot. SSL_use_cert_and_key takes its own references, so
  // `current` may be released while this connection lives on.
  SSL_certs_clear(ssl);
  if (SSL_use_cert_and_key(ssl, SSL_CTX_get0_certificate(current->raw()), SSL_CTX_get0_privatekey(current->raw()),
                           chain, 1) != 1) {
    ERR_clear_error();
    return SSL_CLIENT_HELLO_ERROR;
  }
  return SSL_CLIENT_HELLO_SUCCESS;
}

long long days_left(const CertificateInfo& info, long long now) {
  long long left = info.expires_at - now;
  return left >= 0 ? left / 86400 : -((-left + 86399) / 86400);
}

std::optional<std::string> expiry_warning(const CertificateInfo& info, long long now, int days) {
  if (info.expires_at - now >= static_cast<long long>(days) * 86400) return std::nullopt;
  if (info.expires_at <= now) return "the certificate expired on " + info.not_after + "; replace it now";
  return "the certificate expires in " + std::to_string(days_left(info, now)) + " days (" + info.not_after +
         "); replace it before then";
}

}  // namespace postern::tls

#include "tls/server_context.h"

#include <openssl/err.h>

#include <stdexcept>

namespace postern::tls {

namespace {
std::string last_error() {
  unsigned long e = ERR_get_error();
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

int version_of(const std::string& v) {
  if (v == "1.0") return TLS1_VERSION;
  if (v == "1.1") return TLS1_1_VERSION;
  if (v == "1.3") return TLS1_3_VERSION;
  return TLS1_2_VERSION;
}
}  // namespace

void configure_server(SSL_CTX* ctx, const std::string& cert_file, const std::string& key_file,
                      const std::string& min_version) {
  SSL_CTX_set_min_proto_version(ctx, version_of(min_version));
  if (min_version == "1.0" || min_version == "1.1") SSL_CTX_set_security_level(ctx, 0);  // old printers
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  if (SSL_CTX_use_certificate_chain_file(ctx, cert_file.c_str()) != 1)
    throw std::runtime_error("TLS certificate " + cert_file + ": " + last_error());
  if (SSL_CTX_use_PrivateKey_file(ctx, key_file.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx) != 1)
    throw std::runtime_error("TLS key " + key_file + ": " + last_error());
}

ServerContext::ServerContext(const std::string& cert_file, const std::string& key_file, const std::string& min_version) {
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (!ctx_) throw std::runtime_error("TLS context: " + last_error());
  try {
    configure_server(ctx_, cert_file, key_file, min_version);
  } catch (...) {
    SSL_CTX_free(ctx_);
    throw;
  }
}

ServerContext::~ServerContext() { SSL_CTX_free(ctx_); }

}  // namespace postern::tls

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

// TLS 1.2 suites: ECDHE or DHE key exchange with AES-GCM or ChaCha20-Poly1305 (Mozilla's
// "intermediate" list). TLS 1.3 suites are all AEAD and keep OpenSSL's defaults.
const char* kModernCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:DHE-RSA-CHACHA20-POLY1305";
// What TLS 1.0 devices speak: the modern list, then AES-CBC with SHA-1 MACs. Security level 0
// because TLS 1.0/1.1 sign the handshake with MD5+SHA-1, which level 1 already forbids.
// XXX: devices that only know 3DES or RC4 stay unable to connect; that is deliberate.
const char* kLegacyCiphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:"
    "DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-AES128-SHA:ECDHE-RSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-RSA-AES256-SHA:"
    "AES128-SHA:AES256-SHA:!aNULL:!eNULL:!EXPORT:!RC4:!3DES:!DES:!MD5:@SECLEVEL=0";
}  // namespace

void configure_protocols(SSL_CTX* ctx, Profile profile, const std::string& min_version) {
  bool legacy = profile == Profile::Legacy;
  SSL_CTX_set_min_proto_version(ctx, legacy ? TLS1_VERSION : min_version == "1.3" ? TLS1_3_VERSION : TLS1_2_VERSION);
  SSL_CTX_set_max_proto_version(ctx, 0);  // the newest this OpenSSL knows
  if (SSL_CTX_set_cipher_list(ctx, legacy ? kLegacyCiphers : kModernCiphers) != 1)
    throw std::runtime_error("TLS cipher list refused: " + last_error());
  // Level 2 (Debian's default): 2048-bit RSA/DH, no SHA-1 certificate signatures.
  SSL_CTX_set_security_level(ctx, legacy ? 0 : 2);
  SSL_CTX_set_dh_auto(ctx, 1);
  SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
}

ServerContext::ServerContext(const std::string& cert_file, const std::string& key_file, Profile profile,
                             const std::string& min_version)
    : profile_(profile) {
  ctx_ = SSL_CTX_new(TLS_server_method());
  if (!ctx_) throw std::runtime_error("TLS context: " + last_error());
  try {
    configure_protocols(ctx_, profile, min_version);
    if (SSL_CTX_use_certificate_chain_file(ctx_, cert_file.c_str()) != 1)
      throw std::runtime_error("TLS certificate " + cert_file + ": " + last_error());
    if (SSL_CTX_use_PrivateKey_file(ctx_, key_file.c_str(), SSL_FILETYPE_PEM) != 1 || SSL_CTX_check_private_key(ctx_) != 1)
      throw std::runtime_error("TLS key " + key_file + ": " + last_error());
  } catch (...) {
    SSL_CTX_free(ctx_);
    throw;
  }
}

ServerContext::~ServerContext() { SSL_CTX_free(ctx_); }

}  // namespace postern::tls

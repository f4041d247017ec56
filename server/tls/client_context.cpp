#include "tls/client_context.h"

#include <openssl/err.h>

#include <stdexcept>

namespace postern::tls {

ClientContext::ClientContext(const std::string& ca_file) {
  ctx_ = SSL_CTX_new(TLS_client_method());
  if (!ctx_) throw std::runtime_error("TLS client context: out of memory");
  SSL_CTX_set_min_proto_version(ctx_, TLS1_2_VERSION);
  SSL_CTX_set_options(ctx_, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_mode(ctx_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
  SSL_CTX_set_default_verify_paths(ctx_);
  if (!ca_file.empty() && SSL_CTX_load_verify_locations(ctx_, ca_file.c_str(), nullptr) != 1) {
    SSL_CTX_free(ctx_);
    ERR_clear_error();
    throw std::runtime_error("TLS CA file " + ca_file + " cannot be loaded");
  }
  // Verification runs during the handshake and its result is read afterwards.
  SSL_CTX_set_verify(ctx_, SSL_VERIFY_NONE, nullptr);
}

ClientContext::~ClientContext() { SSL_CTX_free(ctx_); }

}  // namespace postern::tls

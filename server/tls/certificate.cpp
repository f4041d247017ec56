#include "tls/certificate.h"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

#include "tls/openssl_ptr.h"
#include "util/fs.h"

namespace postern::tls {

namespace {

void check(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("certificate generation failed: ") + what);
}

std::string to_pem(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, size_t(n));
}

void add_ext(X509* cert, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str());
  check(ext != nullptr, "extension");
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

}  // namespace

CertPaths ensure_self_signed(const std::string& dir, const std::string& hostname) {
  CertPaths paths{dir + "/cert.pem", dir + "/key.pem"};
  if (util::file_exists(paths.cert) && util::file_exists(paths.key)) return paths;
  return generate_self_signed(dir, hostname);
}

CertPaths generate_self_signed(const std::string& dir, const std::string& hostname) {
  CertPaths paths{dir + "/cert.pem", dir + "/key.pem"};
  util::make_dirs(dir, 0700);

  // RSA rather than ECDSA: printers and scanners with old TLS stacks often lack ECDSA.
  PKeyPtr key(EVP_RSA_gen(2048));
  check(key != nullptr, "key");
  X509Ptr cert(X509_new());
  check(cert != nullptr, "x509");
  X509_set_version(cert.get(), 2);
  unsigned char serial[16];
  check(RAND_bytes(serial, sizeof serial) == 1, "serial");
  serial[0] &= 0x7f;
  BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
  BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
  BN_free(bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 60L * 60 * 24 * 825);  // CA/B limit for leaf certs
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(hostname.c_str()), -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("Postern self-signed"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  add_ext(cert.get(), NID_subject_alt_name, "DNS:" + hostname);
  add_ext(cert.get(), NID_basic_constraints, "critical,CA:FALSE");
  add_ext(cert.get(), NID_ext_key_usage, "serverAuth");
  check(X509_sign(cert.get(), key.get(), EVP_sha256()) > 0, "sign");

  BioPtr key_bio(BIO_new(BIO_s_mem())), cert_bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) == 1, "write key");
  check(PEM_write_bio_X509(cert_bio.get(), cert.get()) == 1, "write cert");
  util::write_file_atomic(paths.key, to_pem(key_bio.get()), 0600);
  util::write_file_atomic(paths.cert, to_pem(cert_bio.get()), 0644);
  return paths;
}

}  // namespace postern::tls

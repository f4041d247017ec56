#include "tls/certificate_info.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <stdexcept>

#include "tls/openssl_ptr.h"
#include "util/fs.h"

namespace postern::tls {

namespace {

std::string name_text(X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253);
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size_t(n));
}

long long epoch_of(const ASN1_TIME* t) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  return static_cast<long long>(timegm(&tm));
}

std::string iso(long long epoch) {
  std::time_t t = std::time_t(epoch);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

std::vector<X509Ptr> read_chain(const std::string& pem) {
  std::vector<X509Ptr> out;
  BioPtr bio(BIO_new_mem_buf(pem.data(), int(pem.size())));
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  ERR_clear_error();
  return out;
}

CertificateInfo describe(const std::vector<X509Ptr>& chain) {
  X509* cert = chain.front().get();
  CertificateInfo info;
  info.chain_length = int(chain.size());
  info.subject = name_text(X509_get_subject_name(cert));
  info.issuer = name_text(X509_get_issuer_name(cert));
  info.self_signed = X509_NAME_cmp(X509_get_subject_name(cert), X509_get_issuer_name(cert)) == 0;
  long long from = epoch_of(X509_get0_notBefore(cert));
  info.expires_at = epoch_of(X509_get0_notAfter(cert));
  info.not_before = iso(from);
  info.not_after = iso(info.expires_at);
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* g = sk_GENERAL_NAME_value(names, i);
    if (g->type == GEN_DNS) {
      info.names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(g->d.dNSName)),
                              size_t(ASN1_STRING_length(g->d.dNSName)));
    } else if (g->type == GEN_IPADD) {
      char* text = i2s_ASN1_OCTET_STRING(nullptr, g->d.iPAddress);  // hex bytes; good enough to show
      if (text) info.names.push_back(text);
      OPENSSL_free(text);
    }
  }
  GENERAL_NAMES_free(names);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  X509_digest(cert, EVP_sha256(), md, &len);
  static const char* hex = "0123456789ABCDEF";
  for (unsigned i = 0; i < len; ++i) {
    if (i) info.sha256 += ':';
    info.sha256 += hex[md[i] >> 4];
    info.sha256 += hex[md[i] & 15];
  }
  return info;
}
}  // namespace

CertificateInfo describe_certificate_file(const std::string& path) {
  if (!util::file_exists(path)) throw std::runtime_error("certificate " + path + " does not exist");
  std::string pem = util::read_file(path);
  auto chain = read_chain(pem);
  if (chain.empty()) throw std::runtime_error(path + " holds no PEM certificate");
  return describe(chain);
}

PemPair prepare_pem_pair(const std::string& chain_pem, const std::string& key_pem) {
  auto fail = [](const char* field, std::string message) { return PemPair{PemProblem{field, std::move(message)}, {}}; };
  auto certs = read_chain(chain_pem);
  if (certs.empty()) return fail("certificate", "no PEM certificate found (-----BEGIN CERTIFICATE-----)");
  if (key_pem.find("ENCRYPTED") != std::string::npos)
    return fail("private_key", "the private key is encrypted; upload it without a passphrase");
  BioPtr bio(BIO_new_mem_buf(key_pem.data(), int(key_pem.size())));
  // An empty passphrase callback: an encrypted key fails instead of prompting on a terminal.
  PKeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
  ERR_clear_error();
  if (!key) return fail("private_key", "no PEM private key found (-----BEGIN PRIVATE KEY-----)");

  // The leaf is the certificate the key belongs to.
  std::vector<X509Ptr> chain;
  for (auto it = certs.begin(); it != certs.end(); ++it) {
    if (X509_check_private_key(it->get(), key.get()) == 1) {
      chain.push_back(std::move(*it));
      certs.erase(it);
      break;
    }
  }
  ERR_clear_error();
  if (chain.empty())
    return fail("private_key", certs.size() == 1 ? "the private key does not match the certificate"
                                                 : "the private key matches none of the " + std::to_string(certs.size()) +
                                                       " certificates");
  // Then each issuer in turn, wherever it was in the upload.
  for (;;) {
    X509* last = chain.back().get();
    if (X509_check_issued(last, last) == X509_V_OK) break;  // a root ends the chain
    auto issuer = certs.end();
    for (auto it = certs.begin(); it != certs.end(); ++it)
      if (X509_check_issued(it->get(), last) == X509_V_OK) issuer = it;
    if (issuer == certs.end()) break;
    EVP_PKEY* issuer_key = X509_get0_pubkey(issuer->get());
    if (!issuer_key || X509_verify(last, issuer_key) != 1) {
      ERR_clear_error();
      return fail("certificate", "the signature of '" + name_text(X509_get_subject_name(last)) +
                                     "' does not verify with the key of its issuer '" +
                                     name_text(X509_get_subject_name(issuer->get())) + "'");
    }
    chain.push_back(std::move(*issuer));
    certs.erase(issuer);
  }
  if (!certs.empty())
    return fail("certificate", "'" + name_text(X509_get_subject_name(certs.front().get())) +
                                   "' is not an issuer in the chain of '" +
                                   name_text(X509_get_subject_name(chain.front().get())) + "'; remove it");
  long long now = std::time(nullptr);
  for (const auto& c : chain) {
    std::string subject = name_text(X509_get_subject_name(c.get()));
    if (epoch_of(X509_get0_notAfter(c.get())) < now)
      return fail("certificate", "'" + subject + "' expired on " + iso(epoch_of(X509_get0_notAfter(c.get()))));
    if (epoch_of(X509_get0_notBefore(c.get())) > now)
      return fail("certificate", "'" + subject + "' is not valid before " + iso(epoch_of(X509_get0_notBefore(c.get()))));
  }
  PemPair out;
  for (const auto& c : chain) {
    BioPtr pem(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(pem.get(), c.get());
    char* data = nullptr;
    long n = BIO_get_mem_data(pem.get(), &data);
    out.chain_pem.append(data, size_t(n));
  }
  return out;
}

}  // namespace postern::tls

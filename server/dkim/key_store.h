// DKIM keys of the hosted domains (RFC 6376 §3.6): one RSA-2048 key per domain with its
// selector, kept as DIR/dkim/DOMAIN/SELECTOR.pem (PKCS#8, mode 0600), and the TXT record
// the admin publishes at SELECTOR._domainkey.DOMAIN.
// Collaborators: OpenSSL (generation, public half), util::fs (atomic 0600 writes).
// Error contract: names are validated by the caller (admin facade); the store refuses
// anything that could leave its folder with std::invalid_argument. generate() on a domain
// that already has a key throws KeyExists; I/O and OpenSSL failures throw std::runtime_error.
// Threading: safe from any thread; each call reads the files afresh, so keys made by the
// CLI are used by a running daemon at its next message.
#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace postern::dkim {

class KeyExists : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Key {
  std::string domain, selector;
  std::string algorithm = "rsa-sha256";
  int bits = 0;
  long long created = 0;        // the key file's modification time
  std::string public_key;       // base64 SubjectPublicKeyInfo (the p= tag)
  std::string private_key_pem;  // never leaves the daemon: not shown by any view

  std::string dns_name() const { return selector + "._domainkey." + domain; }
  std::string dns_value() const { return "v=DKIM1; k=rsa; p=" + public_key; }
  // The value split into quoted strings of at most 255 bytes, for a zone file (RFC 1035
  // character-strings; many DNS panels want this form for 2048-bit keys).
  std::string dns_zone_value() const;
};

class KeyStore {
 public:
  explicit KeyStore(std::string dir) : dir_(std::move(dir)) {}

  Key generate(const std::string& domain, const std::string& selector, int bits = 2048);
  std::optional<Key> find(const std::string& domain) const;  // with the private key
  std::vector<Key> list() const;                             // sorted by domain
  bool remove(const std::string& domain);

 private:
  std::string dir_;
};

}  // namespace postern::dkim

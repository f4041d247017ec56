#include "dkim/key_store.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include "tls/openssl_ptr.h"
#include "util/base64.h"
#include "util/fs.h"

namespace postern::dkim {

namespace {

using tls::BioPtr;
using tls::PKeyPtr;

// Names become path components: a domain or selector may never walk out of the folder.
void check_component(const std::string& name) {
  if (name.empty() || name.front() == '.' || name.find('/') != std::string::npos || name.find('\0') != std::string::npos)
    throw std::invalid_argument("unusable DKIM key name: " + name);
}

std::string public_key_of(EVP_PKEY* key) {
  int len = i2d_PUBKEY(key, nullptr);
  if (len <= 0) throw std::runtime_error("cannot encode the DKIM public key");
  std::string der(size_t(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(der.data());
  i2d_PUBKEY(key, &p);
  return util::base64_encode(der);
}

std::optional<Key> load(const std::string& dir, const std::string& domain) {
  std::string folder = dir + "/" + domain;
  for (const auto& file : util::list_dir(folder)) {
    if (file.size() < 5 || file.compare(file.size() - 4, 4, ".pem") != 0) continue;
    Key k;
    k.domain = domain;
    k.selector = file.substr(0, file.size() - 4);
    std::string path = folder + "/" + file;
    k.private_key_pem = util::read_file(path);
    BioPtr bio(BIO_new_mem_buf(k.private_key_pem.data(), int(k.private_key_pem.size())));
    PKeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) throw std::runtime_error("unreadable DKIM key " + path);
    k.bits = EVP_PKEY_get_bits(key.get());
    k.public_key = public_key_of(key.get());
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) k.created = st.st_mtime;
    return k;
  }
  return std::nullopt;
}

}  // namespace

std::string Key::dns_zone_value() const {
  std::string value = dns_value(), out;
  for (size_t i = 0; i < value.size(); i += 255) out += (out.empty() ? "\"" : " \"") + value.substr(i, 255) + "\"";
  return out;
}

Key KeyStore::generate(const std::string& domain, const std::string& selector, int bits) {
  check_component(domain);
  check_component(selector);
  if (load(dir_, domain)) throw KeyExists("domain " + domain + " already has a DKIM key; delete it first");
  PKeyPtr key(EVP_RSA_gen(unsigned(bits)));
  if (!key) throw std::runtime_error("RSA key generation failed");
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr))
    throw std::runtime_error("cannot encode the DKIM private key");
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  util::make_dirs(dir_, 0700);
  util::make_dirs(dir_ + "/" + domain, 0700);
  util::write_file_atomic(dir_ + "/" + domain + "/" + selector + ".pem", std::string(data, size_t(len)), 0600);
  auto made = load(dir_, domain);
  if (!made) throw std::runtime_error("the DKIM key just written cannot be read back");
  return *made;
}

std::optional<Key> KeyStore::find(const std::string& domain) const {
  check_component(domain);
  return load(dir_, domain);
}

std::vector<Key> KeyStore::list() const {
  std::vector<Key> out;
  for (const auto& domain : util::list_dir(dir_)) {
    if (domain.empty() || domain.front() == '.') continue;
    if (auto k = load(dir_, domain)) out.push_back(*k);
  }
  std::sort(out.begin(), out.end(), [](const Key& a, const Key& b) { return a.domain < b.domain; });
  return out;
}

bool KeyStore::remove(const std::string& domain) {
  check_component(domain);
  auto k = load(dir_, domain);
  if (!k) return false;
  std::string folder = dir_ + "/" + domain;
  for (const auto& file : util::list_dir(folder)) ::unlink((folder + "/" + file).c_str());
  ::rmdir(folder.c_str());
  util::fsync_dir(dir_);
  return true;
}

}  // namespace postern::dkim

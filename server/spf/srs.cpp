#include "spf/srs.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

#include "util/base64.h"
#include "util/fs.h"
#include "util/random.h"
#include "util/strings.h"

namespace postern::spf {

namespace {

const char* kBase32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

std::string timestamp(int64_t now) {
  int64_t days = (now / 86400) % 1024;
  return {kBase32[(days >> 5) & 31], kBase32[days & 31]};
}

std::optional<int64_t> days_of(const std::string& tt) {
  if (tt.size() != 2) return std::nullopt;
  int64_t v = 0;
  for (char c : tt) {
    const char* p = nullptr;
    for (const char* q = kBase32; *q; ++q)
      if (*q == std::toupper(static_cast<unsigned char>(c))) p = q;
    if (!p) return std::nullopt;
    v = v * 32 + (p - kBase32);
  }
  return v;
}

}  // namespace

std::string Srs::hash(const std::string& tt, const std::string& domain, const std::string& local) const {
  std::string data = util::to_lower(tt + domain + local);
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret_.data(), int(secret_.size()), reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
  // '/' and '+' are fine in a local part; '=' (padding) never appears in the first 4.
  return util::base64_encode(std::string(reinterpret_cast<char*>(md), len)).substr(0, 4);
}

bool Srs::is_srs(const std::string& address) {
  std::string head = util::to_lower(address.substr(0, 5));
  return head == "srs0=" || head == "srs1=";
}

std::string Srs::forward(const std::string& sender, const std::string& forwarding_domain, int64_t now) const {
  auto at = sender.rfind('@');
  // XXX: an address that is already SRS is passed on unchanged (no SRS1 chaining): its
  // bounces go to the first forwarder, which can still reverse it.
  if (sender.empty() || at == std::string::npos || at == 0 || is_srs(sender)) return sender;
  std::string local = sender.substr(0, at), domain = sender.substr(at + 1);
  std::string tt = timestamp(now);
  return "SRS0=" + hash(tt, domain, local) + "=" + tt + "=" + domain + "=" + local + "@" + forwarding_domain;
}

std::optional<std::string> Srs::reverse(const std::string& address, int64_t now) const {
  auto at = address.rfind('@');
  if (at == std::string::npos || util::to_lower(address.substr(0, 5)) != "srs0=") return std::nullopt;
  std::string rest = address.substr(5, at - 5);  // HHHH=TT=domain=local
  auto p1 = rest.find('='), p2 = p1 == std::string::npos ? p1 : rest.find('=', p1 + 1),
       p3 = p2 == std::string::npos ? p2 : rest.find('=', p2 + 1);
  if (p3 == std::string::npos) return std::nullopt;
  std::string hh = rest.substr(0, p1), tt = rest.substr(p1 + 1, p2 - p1 - 1), domain = rest.substr(p2 + 1, p3 - p2 - 1),
              local = rest.substr(p3 + 1);
  if (domain.empty() || local.empty()) return std::nullopt;
  // Case-insensitive hash comparison: some MTAs lowercase the whole address.
  if (util::to_lower(hh) != util::to_lower(hash(tt, domain, local))) return std::nullopt;
  auto then = days_of(tt);
  if (!then) return std::nullopt;
  int64_t today = (now / 86400) % 1024;
  int64_t age = (today - *then + 1024) % 1024;
  if (age > kMaxAgeDays) return std::nullopt;
  return local + "@" + domain;
}

std::string load_or_create_secret(const std::string& path) {
  if (util::file_exists(path)) {
    auto s = util::read_file(path);
    if (s.size() >= 16) return s;
  }
  auto secret = util::random_bytes(32);
  util::write_file_atomic(path, secret, 0600);
  return secret;
}

}  // namespace postern::spf

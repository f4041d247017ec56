// DKIM keys of the hosted domains: generate, show, list, delete (issue 11). The private key
// never leaves this layer: views carry the selector, the public key and the record to publish.
#include <cctype>
#include <ctime>

#include "admin/admin.h"
#include "mail/address.h"
#include "util/strings.h"

namespace postern::admin {

namespace {

// RFC 6376 §3.1: a selector is one or more DNS labels (letters, digits, hyphens).
bool valid_selector(const std::string& s) {
  if (s.empty() || s.size() > 63 * 2) return false;
  size_t label = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (label == 0 || s[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    if (!(std::isalnum(static_cast<unsigned char>(c)) || (c == '-' && label > 0)) || ++label > 63) return false;
  }
  return label > 0 && s.back() != '-';
}

std::string default_selector() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "postern%Y%m", &tm);
  return buf;
}

}  // namespace

dkim::Key Admin::generate_dkim_key(const std::string& domain_in, const std::string& selector_in) {
  std::string domain = util::to_lower(util::trim(domain_in));
  if (!mail::valid_domain(domain)) throw Invalid("domain", "'" + domain_in + "' is not a domain name");
  if (!directory_.is_local_domain(domain)) throw Invalid("domain", "'" + domain + "' is not a hosted domain");
  std::string selector = selector_in.empty() ? default_selector() : util::to_lower(util::trim(selector_in));
  if (!valid_selector(selector))
    throw Invalid("selector", "'" + selector_in + "' is not a selector (DNS labels: letters, digits, hyphens)");
  try {
    return dkim::KeyStore(paths_.dkim_dir).generate(domain, selector);
  } catch (const dkim::KeyExists& e) {
    throw store::Refused(e.what());
  }
}

std::vector<dkim::Key> Admin::dkim_keys() { return dkim::KeyStore(paths_.dkim_dir).list(); }

dkim::Key Admin::dkim_key(const std::string& domain_in) {
  std::string domain = util::to_lower(util::trim(domain_in));
  if (!mail::valid_domain(domain)) throw Invalid("domain", "'" + domain_in + "' is not a domain name");
  auto k = dkim::KeyStore(paths_.dkim_dir).find(domain);
  if (!k) throw NotFound("no DKIM key for " + domain);
  return *k;
}

void Admin::delete_dkim_key(const std::string& domain_in) {
  std::string domain = util::to_lower(util::trim(domain_in));
  if (!mail::valid_domain(domain)) throw Invalid("domain", "'" + domain_in + "' is not a domain name");
  if (!dkim::KeyStore(paths_.dkim_dir).remove(domain)) throw NotFound("no DKIM key for " + domain);
}

}  // namespace postern::admin

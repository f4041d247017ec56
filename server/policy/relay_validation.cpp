#include "policy/relay_validation.h"

#include <algorithm>

#include "mail/address.h"
#include "util/cidr.h"
#include "util/strings.h"

namespace postern::policy {

std::optional<std::string> validate_relay_networks(const std::string& field, const std::vector<std::string>& cidrs) {
  if (cidrs.empty()) return field + ": needs at least one network";
  for (const auto& text : cidrs) {
    auto c = util::Cidr::parse(text);
    if (!c) return field + ": '" + text + "' is not an IP network such as 192.168.1.0/24";
    auto slash = text.find('/');
    long long prefix = -1;
    if (slash != std::string::npos) util::parse_int(text.substr(slash + 1), prefix);
    bool v6 = text.find(':') != std::string::npos;
    if (prefix >= 0 && prefix < (v6 ? 16 : 8))
      return field + ": '" + text + "' is too wide; trusting it would make Postern an open relay";
  }
  return std::nullopt;
}

std::optional<std::string> validate_pattern(const std::string& pattern) {
  auto p = util::to_lower(pattern);
  if (p.find('@') != std::string::npos) {
    if (!mail::Address::parse(p, true)) return "pattern '" + pattern + "' is not a valid address";
    return std::nullopt;
  }
  auto domain = p.front() == '.' ? p.substr(1) : p;
  if (domain.empty() || !mail::valid_domain(domain, true)) return "pattern '" + pattern + "' is not an address, a domain or .domain";
  return std::nullopt;
}

std::optional<std::string> parse_host_port(const std::string& field, const std::string& text, std::string& host, int& port) {
  port = 0;
  host = text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) return field + ": missing ']' in " + text;
    host = text.substr(1, close - 1);
    auto rest = text.substr(close + 1);
    if (!rest.empty()) {
      long long p = 0;
      if (rest.front() != ':' || !util::parse_int(rest.substr(1), p) || p < 1 || p > 65535)
        return field + ": port must be between 1 and 65535";
      port = int(p);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    auto colon = text.find(':');
    host = text.substr(0, colon);
    long long p = 0;
    if (!util::parse_int(text.substr(colon + 1), p) || p < 1 || p > 65535) return field + ": port must be between 1 and 65535";
    port = int(p);
  }
  host = util::to_lower(host);
  if (util::IpAddress::parse(host)) return std::nullopt;
  if (host.empty() || !mail::valid_domain(host)) return field + ": '" + host + "' is not a host name or IP address";
  return std::nullopt;
}

bool pattern_matches(const std::string& pattern, const std::string& address_key) {
  auto p = util::to_lower(pattern);
  if (p.find('@') != std::string::npos) return p == address_key;
  auto at = address_key.rfind('@');
  std::string domain = at == std::string::npos ? address_key : address_key.substr(at + 1);
  if (p.front() == '.') {
    auto base = p.substr(1);
    return domain == base || (domain.size() > p.size() && domain.compare(domain.size() - p.size(), p.size(), p) == 0);
  }
  return domain == p;
}

}  // namespace postern::policy

#include "smtp/server/require_tls.h"

#include "util/strings.h"

namespace postern::smtp {

namespace {

const std::string kTag = "+requiretls";

bool tagged(const std::string& local) {
  return local.size() > kTag.size() && util::iequals(std::string_view(local).substr(local.size() - kTag.size()), kTag);
}

bool rule_matches(const std::string& rule, const mail::Address& a) {
  if (a.empty()) return false;
  auto r = util::to_lower(rule);
  if (!r.empty() && r.front() == '@') r.erase(0, 1);
  return r.find('@') == std::string::npos ? r == util::to_lower(a.domain) : r == a.key();
}

}  // namespace

std::string require_tls_reason(bool mail_parameter, const mail::Address& sender, const mail::Address& rcpt,
                               const std::string& rules) {
  if (mail_parameter) return "mail";
  if (tagged(rcpt.local)) return "tag";
  for (const auto& rule : util::split_list(rules, ','))
    if (rule_matches(rule, sender) || rule_matches(rule, rcpt)) return "rule";
  return "";
}

std::string without_requiretls_tag(const std::string& address) {
  auto at = address.rfind('@');
  if (at == std::string::npos) return address;
  auto local = address.substr(0, at);
  return tagged(local) ? local.substr(0, local.size() - kTag.size()) + address.substr(at) : address;
}

}  // namespace postern::smtp

#include "policy/access_rules.h"

#include "util/strings.h"

namespace postern::policy {

std::optional<AccessList> parse_access_list(const std::string& text) {
  if (text == "black") return AccessList::Black;
  if (text == "white") return AccessList::White;
  return std::nullopt;
}

std::optional<AccessType> parse_access_type(const std::string& text) {
  if (text == "ip") return AccessType::Ip;
  if (text == "cidr") return AccessType::Cidr;
  if (text == "sender") return AccessType::Sender;
  if (text == "recipient") return AccessType::Recipient;
  if (text == "domain") return AccessType::Domain;
  return std::nullopt;
}

std::optional<AccessAction> parse_access_action(const std::string& text) {
  if (text == "reject") return AccessAction::Reject;
  if (text == "discard") return AccessAction::Discard;
  return std::nullopt;
}

const char* name_of(AccessList l) { return l == AccessList::Black ? "black" : "white"; }
const char* name_of(AccessAction a) { return a == AccessAction::Reject ? "reject" : "discard"; }
const char* name_of(AccessType t) {
  switch (t) {
    case AccessType::Ip: return "ip";
    case AccessType::Cidr: return "cidr";
    case AccessType::Sender: return "sender";
    case AccessType::Recipient: return "recipient";
    case AccessType::Domain: return "domain";
  }
  return "?";
}

namespace {
// "255.255.255.0" -> 24; nullopt unless a contiguous IPv4 mask.
std::optional<int> mask_prefix(const std::string& mask) {
  auto ip = util::IpAddress::parse(mask);
  if (!ip || ip->v6) return std::nullopt;
  uint32_t m = (uint32_t(ip->bytes[0]) << 24) | (uint32_t(ip->bytes[1]) << 16) | (uint32_t(ip->bytes[2]) << 8) | ip->bytes[3];
  int prefix = 0;
  while (prefix < 32 && (m & (0x80000000u >> prefix))) ++prefix;
  uint32_t expected = prefix == 0 ? 0 : ~uint32_t(0) << (32 - prefix);
  if (m != expected) return std::nullopt;
  return prefix;
}
}  // namespace

std::optional<std::string> normalize_access_value(AccessType type, const std::string& raw, std::string& error) {
  std::string value = util::to_lower(util::trim(raw));
  auto fail = [&](const std::string& why) -> std::optional<std::string> {
    error = std::string(name_of(type)) + " '" + raw + "': " + why;
    return std::nullopt;
  };
  switch (type) {
    case AccessType::Ip: {
      auto ip = util::IpAddress::parse(value);
      if (!ip) return fail("is not an IP address such as 192.0.2.1");
      return ip->to_string();
    }
    case AccessType::Cidr: {
      auto slash = value.find('/');
      if (slash == std::string::npos) return fail("needs a prefix or netmask, as 192.0.2.0/24 or 192.0.2.0/255.255.255.0");
      std::string net = value.substr(0, slash), bits = value.substr(slash + 1);
      if (bits.find('.') != std::string::npos) {
        auto prefix = mask_prefix(bits);
        if (!prefix) return fail("the netmask must be contiguous ones then zeros, as 255.255.255.0");
        bits = std::to_string(*prefix);
      }
      auto c = util::Cidr::parse(net + "/" + bits);
      if (!c) return fail("is not a network such as 192.0.2.0/24");
      return c->to_string();
    }
    case AccessType::Sender:
    case AccessType::Recipient: {
      auto a = mail::Address::parse(value, true);
      if (!a) return fail("is not a mail address such as someone@example.com");
      return a->key();
    }
    case AccessType::Domain: {
      if (!value.empty() && value.back() == '.') value.pop_back();
      if (value.find('.') == std::string::npos || !mail::valid_domain(value, true))
        return fail("is not a domain name such as example.com");
      return value;
    }
  }
  return fail("unknown type");
}

SkipFlags& SkipFlags::operator|=(const SkipFlags& o) {
  dnsbl |= o.dnsbl;
  spf |= o.spf;
  virus |= o.virus;
  dkim |= o.dkim;
  dmarc |= o.dmarc;
  return *this;
}

SkipFlags whitelist_skips(AccessType type) {
  //                               dnsbl  spf   virus  dkim   dmarc
  switch (type) {
    case AccessType::Ip: return {true, true, true, true, true};
    case AccessType::Cidr: return {true, true, false, true, true};
    case AccessType::Sender: return {false, true, true, false, false};
    case AccessType::Recipient: return {false, true, true, false, false};
    case AccessType::Domain: return {false, true, true, true, true};
  }
  return {};
}

void WhitelistMatch::add(AccessType t) {
  types |= 1u << unsigned(t);
  skips |= whitelist_skips(t);
}

std::string WhitelistMatch::describe() const {
  std::vector<std::string> names;
  for (auto t : {AccessType::Ip, AccessType::Cidr, AccessType::Sender, AccessType::Recipient, AccessType::Domain})
    if (matched(t)) names.push_back(name_of(t));
  return util::join(names, ",");
}

std::string WhitelistMatch::describe_skips() const {
  std::vector<std::string> names;
  if (skips.dnsbl) names.push_back("dnsbl");
  if (skips.spf) names.push_back("spf");
  if (skips.virus) names.push_back("virus");
  if (skips.dkim) names.push_back("dkim");
  if (skips.dmarc) names.push_back("dmarc");
  return util::join(names, ",");
}

AccessRuleSet::AccessRuleSet(std::vector<AccessRule> rules) : rules_(std::move(rules)) {
  for (const auto& r : rules_) {
    Compiled c{r, std::nullopt};
    if (r.type == AccessType::Ip || r.type == AccessType::Cidr) {
      c.net = util::Cidr::parse(r.value);
      if (!c.net) continue;  // validated on the way in; an unreadable row matches nothing
    }
    compiled_.push_back(std::move(c));
  }
}

template <typename Pred>
AccessMatch AccessRuleSet::match(Pred matches) const {
  AccessMatch m;
  for (const auto& c : compiled_) {
    if (!matches(c)) continue;
    if (c.rule.list == AccessList::White) m.white.add(c.rule.type);
    else if (!m.black) m.black = c.rule;
  }
  if (m.white.matched()) m.black.reset();  // a whitelist entry is the exception to its family's blacklist
  return m;
}

AccessMatch AccessRuleSet::client(const util::IpAddress& ip) const {
  return match([&](const Compiled& c) { return c.net && c.net->contains(ip); });
}

AccessMatch AccessRuleSet::sender(const mail::Address& sender) const {
  if (sender.empty()) return {};
  auto key = sender.key();
  return match([&](const Compiled& c) {
    return (c.rule.type == AccessType::Sender && c.rule.value == key) ||
           (c.rule.type == AccessType::Domain && c.rule.value == sender.domain);
  });
}

AccessMatch AccessRuleSet::recipient(const mail::Address& rcpt) const {
  auto key = rcpt.key();
  return match([&](const Compiled& c) { return c.rule.type == AccessType::Recipient && c.rule.value == key; });
}

}  // namespace postern::policy

#include "admin/input.h"

#include <cctype>

#include "config/registry.h"
#include "mail/address.h"
#include "policy/access_rules.h"
#include "policy/relay_validation.h"
#include "store/maildir.h"
#include "util/cidr.h"
#include "util/strings.h"

namespace postern::admin {

namespace {
// check_consistency messages start with the setting they are about ("KEY: ..." or
// "KEY and OTHER must ..."); the API names it as the field.
std::string field_of(const std::string& message) {
  auto end = message.find_first_of(": ");
  auto key = message.substr(0, end);
  return config::find_setting(key) ? key : "";
}

void check_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (unsigned char c : name) ok = ok && (std::isalnum(c) || c == '-' || c == '_' || c == '.');
  if (!ok) throw Invalid("name", "names use letters, digits, '-', '_' and '.', at most 64");
}

// A password Postern keeps to log in elsewhere (relay credentials), not a hash.
void check_secret(const std::string& password) {
  if (password.empty() || password.size() > 256) throw Invalid("password", "password must be between 1 and 256 characters");
  for (unsigned char c : password)
    if (c < 32 || c == 127) throw Invalid("password", "password must not contain control characters");
}
}  // namespace

std::map<std::string, std::string> settings_changes(const std::map<std::string, std::string>& raw,
                                                    const std::map<std::string, std::string>& current) {
  if (raw.empty()) throw Invalid("", "no settings given");
  std::map<std::string, std::string> changes;
  for (const auto& [key, value] : raw) {
    const auto* s = config::find_setting(key);
    if (!s) throw Invalid(key, "unknown setting '" + key + "'");
    std::string error;
    auto normalized = config::normalize(*s, value, error);
    if (!normalized) throw Invalid(key, error);
    changes[key] = *normalized;
  }
  auto effective = current;
  for (const auto& [k, v] : changes) effective[k] = v;
  if (auto problem = config::check_consistency(effective)) throw Invalid(field_of(*problem), *problem);
  return changes;
}

std::string domain_name(const std::string& text, const char* field) {
  auto name = util::to_lower(text);
  if (name.find('.') == std::string::npos || name.front() == '[' || !mail::valid_domain(name))
    throw Invalid(field, "'" + text + "' is not a valid domain name (for example example.com)");
  return name;
}

std::string account_key(const std::string& text, const char* field) {
  auto a = mail::Address::parse(text, false);
  if (!a || a->domain.front() == '[') throw Invalid(field, "'" + text + "' is not a valid email address");
  try {
    store::maildir_path("/", a->key());
  } catch (const std::invalid_argument&) {
    throw Invalid(field, "'" + text + "' cannot be used as a mailbox name (no '/' and no leading '.')");
  }
  return a->key();
}

std::optional<std::string> password_problem(const std::string& password) {
  if (password.size() < 8) return std::string("password must be at least 8 characters");
  if (password.size() > 1024) return std::string("password must be at most 1024 characters");
  for (unsigned char c : password)
    if (c < 32 || c == 127) return std::string("password must not contain control characters");
  return std::nullopt;
}

store::AliasEntry alias_entry(const std::string& address, const std::vector<std::string>& targets) {
  store::AliasEntry entry{account_key(address, "address"), {}};
  for (const auto& t : targets) {
    auto a = mail::Address::parse(t, true);
    if (!a) throw Invalid("targets", "alias target '" + t + "' is not a valid email address");
    if (a->key() == entry.address) throw Invalid("targets", "alias " + entry.address + " cannot point to itself");
    entry.targets.push_back(a->key());
  }
  if (entry.targets.empty()) throw Invalid("targets", "alias needs at least one target");
  return entry;
}

store::TrustedNetwork trusted_network(const std::string& name, const std::vector<std::string>& networks) {
  check_name(name);
  if (networks.empty()) throw Invalid("networks", "at least one network is needed");
  if (auto err = policy::validate_relay_networks("trusted " + name, networks)) throw Invalid("networks", *err);
  store::TrustedNetwork t{name, {}};
  for (const auto& n : networks) t.networks.push_back(util::Cidr::parse(n)->to_string());
  return t;
}

store::RelayDomain relay_domain(const std::string& domain, const std::string& next_hop) {
  store::RelayDomain d{util::to_lower(domain), ""};
  if (d.domain.find('.') == std::string::npos || !mail::valid_domain(d.domain))
    throw Invalid("domain", "'" + domain + "' is not a valid domain name");
  if (!next_hop.empty()) {
    std::string host;
    int port = 0;
    if (auto err = policy::parse_host_port("next_hop", next_hop, host, port)) throw Invalid("next_hop", *err);
    d.next_hop = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + (port ? ":" + std::to_string(port) : "");
  }
  return d;
}

store::RelayRule relay_rule(const RuleInput& in) {
  store::RelayRule r;
  check_name(in.name);
  r.name = in.name;
  auto what = "rule " + in.name + ": ";
  if (in.kind != "recipient" && in.kind != "sender") throw Invalid("kind", what + "kind must be recipient or sender");
  r.kind = in.kind;
  if (in.patterns.empty()) throw Invalid("patterns", what + "needs at least one pattern");
  for (const auto& p : in.patterns) {
    if (auto err = policy::validate_pattern(p)) throw Invalid("patterns", what + *err);
    r.patterns.push_back(util::to_lower(p));
  }
  int port = 0;
  if (auto err = policy::parse_host_port("host", in.host, r.host, port)) throw Invalid("host", *err);
  if (in.tls != "starttls" && in.tls != "implicit" && in.tls != "opportunistic")
    throw Invalid("tls", what + "tls must be starttls, implicit or opportunistic");
  r.tls = in.tls;
  if (in.port && (*in.port < 1 || *in.port > 65535)) throw Invalid("port", "port must be between 1 and 65535");
  if (in.port && port && *in.port != port) throw Invalid("port", "port differs from the one in host");
  r.port = in.port ? *in.port : port ? port : (r.tls == "implicit" ? 465 : 587);
  r.verify = in.verify;
  if (in.username.size() > 256) throw Invalid("username", "username must be at most 256 characters");
  if (in.username.empty() != in.password.empty())
    throw Invalid(in.username.empty() ? "username" : "password", "username and password go together");
  if (!in.password.empty()) check_secret(in.password);
  r.username = in.username;
  r.password = in.password;
  return r;
}

store::HostCredentials host_credentials(const std::string& host, const std::string& username, const std::string& password) {
  store::HostCredentials c;
  int port = 0;
  if (auto err = policy::parse_host_port("host", host, c.host, port)) throw Invalid("host", *err);
  if (username.empty() || username.size() > 256) throw Invalid("username", "username must be between 1 and 256 characters");
  check_secret(password);
  c.username = username;
  c.password = password;
  return c;
}

store::AccessRow security_rule(const SecurityRuleInput& in) {
  auto list = policy::parse_access_list(in.list);
  if (!list) throw Invalid("list", "list must be black or white");
  // The control panel names the sender's domain "sender_domain"; the engine calls it "domain".
  auto type = policy::parse_access_type(in.type == "sender_domain" ? "domain" : in.type);
  if (!type) throw Invalid("type", "type must be ip, cidr, sender, recipient or domain");
  auto action = policy::parse_access_action(in.action.empty() ? "reject" : in.action);
  if (!action) throw Invalid("action", "action must be reject or discard");
  // A whitelist rule has no action; "reject" is tolerated because forms send their default.
  if (*list == policy::AccessList::White && *action != policy::AccessAction::Reject)
    throw Invalid("action", "action applies to blacklist rules only");
  std::string error;
  auto value = policy::normalize_access_value(*type, in.value, error);
  if (!value) throw Invalid("value", error);
  return {0, policy::name_of(*list), policy::name_of(*type), *value, policy::name_of(*action), 0};
}

std::string canonical_ip(const std::string& text) {
  auto ip = util::IpAddress::parse(text);
  if (!ip) throw Invalid("ip", "'" + text + "' is not an IP address");
  return ip->to_string();
}

store::ClientBlock client_block(const std::string& ip, const std::string& reason, int64_t until, int64_t now) {
  auto canonical = canonical_ip(ip);
  if (reason.size() > 200) throw Invalid("reason", "reason must be at most 200 characters");
  for (unsigned char c : reason)
    if (c < 32 || c == 127) throw Invalid("reason", "reason must be one line of printable text");
  if (until < 0 || (until != 0 && until <= now))
    throw Invalid("until", "until must be a future time in Unix seconds, or 0 for until lifted");
  return {canonical, reason.empty() ? "blocked by the administrator" : reason, now, until};
}

}  // namespace postern::admin

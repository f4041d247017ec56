// Admin facade: trusted networks (RLY-1), relay domains (RLY-2), smart-host rules (DLV-3)
// and per-host credentials (DLV-4). Every entry passes policy's validation before it is
// stored, so no entry can open the relay.
#include <cctype>

#include "admin/admin.h"
#include "mail/address.h"
#include "policy/relay_validation.h"
#include "util/cidr.h"
#include "util/strings.h"

namespace postern::admin {

namespace {
void check_name(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (unsigned char c : name) ok = ok && (std::isalnum(c) || c == '-' || c == '_' || c == '.');
  if (!ok) throw Invalid("name", "names use letters, digits, '-', '_' and '.', at most 64");
}

void check_secret(const std::string& password) {
  if (password.empty() || password.size() > 256) throw Invalid("password", "password must be between 1 and 256 characters");
  for (unsigned char c : password)
    if (c < 32 || c == 127) throw Invalid("password", "password must not contain control characters");
}

template <typename F>
void existing(F&& f) {
  try {
    f();
  } catch (const store::Refused& e) {
    throw NotFound(e.what());
  }
}
}  // namespace

store::TrustedNetwork Admin::add_trusted(const std::string& name, const std::vector<std::string>& networks) {
  check_name(name);
  if (networks.empty()) throw Invalid("networks", "at least one network is needed");
  if (auto err = policy::validate_relay_networks("trusted " + name, networks)) throw Invalid("networks", *err);
  store::TrustedNetwork t{name, {}};
  for (const auto& n : networks) t.networks.push_back(util::Cidr::parse(n)->to_string());
  relay_.add_trusted(t);
  return t;
}

void Admin::remove_trusted(const std::string& name) { existing([&] { relay_.remove_trusted(name); }); }
std::vector<store::TrustedNetwork> Admin::trusted() { return relay_.trusted(); }

store::RelayDomain Admin::add_relay_domain(const std::string& domain, const std::string& next_hop) {
  store::RelayDomain d{util::to_lower(domain), ""};
  if (d.domain.find('.') == std::string::npos || !mail::valid_domain(d.domain))
    throw Invalid("domain", "'" + domain + "' is not a valid domain name");
  if (!next_hop.empty()) {
    std::string host;
    int port = 0;
    if (auto err = policy::parse_host_port("next_hop", next_hop, host, port)) throw Invalid("next_hop", *err);
    d.next_hop = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + (port ? ":" + std::to_string(port) : "");
  }
  relay_.add_relay_domain(d);
  return d;
}

void Admin::remove_relay_domain(const std::string& domain) {
  existing([&] { relay_.remove_relay_domain(util::to_lower(domain)); });
}
std::vector<store::RelayDomain> Admin::relay_domains() { return relay_.relay_domains(); }

store::RelayRule Admin::add_rule(const RuleInput& in) {
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
  relay_.add_rule(r);
  return *relay_.rule(r.name);
}

void Admin::remove_rule(const std::string& name) { existing([&] { relay_.remove_rule(name); }); }
std::vector<store::RelayRule> Admin::rules() { return relay_.rules(); }

store::HostCredentials Admin::set_credentials(const std::string& host, const std::string& username,
                                              const std::string& password) {
  store::HostCredentials c;
  int port = 0;
  if (auto err = policy::parse_host_port("host", host, c.host, port)) throw Invalid("host", *err);
  if (username.empty() || username.size() > 256) throw Invalid("username", "username must be between 1 and 256 characters");
  check_secret(password);
  c.username = username;
  c.password = password;
  relay_.set_credentials(c);
  return c;
}

void Admin::remove_credentials(const std::string& host) {
  existing([&] { relay_.remove_credentials(util::to_lower(host)); });
}
std::vector<store::HostCredentials> Admin::credentials() { return relay_.credentials(); }

}  // namespace postern::admin

// Admin facade: trusted networks (RLY-1), relay domains (RLY-2), smart-host rules (DLV-3)
// and per-host credentials (DLV-4). Every entry passes policy's validation before it is
// stored, so no entry can open the relay.
#include "admin/admin.h"
#include "admin/missing.h"
#include "util/strings.h"

namespace postern::admin {

store::TrustedNetwork Admin::add_trusted(const std::string& name, const std::vector<std::string>& networks) {
  auto t = trusted_network(name, networks);
  relay_.add_trusted(t);
  return t;
}

void Admin::remove_trusted(const std::string& name) { not_found_if_missing([&] { relay_.remove_trusted(name); }); }
std::vector<store::TrustedNetwork> Admin::trusted() { return relay_.trusted(); }

store::RelayDomain Admin::add_relay_domain(const std::string& domain, const std::string& next_hop) {
  auto d = relay_domain(domain, next_hop);
  relay_.add_relay_domain(d);
  return d;
}

void Admin::remove_relay_domain(const std::string& domain) {
  not_found_if_missing([&] { relay_.remove_relay_domain(util::to_lower(domain)); });
}
std::vector<store::RelayDomain> Admin::relay_domains() { return relay_.relay_domains(); }

store::RelayRule Admin::add_rule(const RuleInput& in) {
  auto r = relay_rule(in);
  relay_.add_rule(r);
  return *relay_.rule(r.name);
}

void Admin::remove_rule(const std::string& name) { not_found_if_missing([&] { relay_.remove_rule(name); }); }
std::vector<store::RelayRule> Admin::rules() { return relay_.rules(); }

store::HostCredentials Admin::set_credentials(const std::string& host, const std::string& username,
                                              const std::string& password) {
  auto c = host_credentials(host, username, password);
  relay_.set_credentials(c);
  return c;
}

void Admin::remove_credentials(const std::string& host) {
  not_found_if_missing([&] { relay_.remove_credentials(util::to_lower(host)); });
}
std::vector<store::HostCredentials> Admin::credentials() { return relay_.credentials(); }

}  // namespace postern::admin

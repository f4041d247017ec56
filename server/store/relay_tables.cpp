#include "store/relay_tables.h"

#include "store/schema.h"
#include "util/strings.h"

namespace postern::store {

namespace {
RelayRule read_rule(Stmt& st) {
  RelayRule r;
  r.name = st.text(0);
  r.position = int(st.integer(1));
  r.kind = st.text(2);
  r.patterns = util::split_list(st.text(3));
  r.host = st.text(4);
  r.port = int(st.integer(5));
  r.tls = st.text(6);
  r.verify = st.integer(7) != 0;
  r.username = st.text(8);
  r.password = st.text(9);
  return r;
}
const char* kRuleColumns = "SELECT name, position, kind, patterns, host, port, tls, verify, username, password FROM relay_rules ";
}  // namespace

RelayTables::RelayTables(const std::string& db_path) : db_(db_path) { migrate_main_db(db_); }

void RelayTables::add_trusted(const TrustedNetwork& t) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare("SELECT 1 FROM trusted_networks WHERE name = ?");
  st.bind(1, t.name);
  if (st.step()) throw Refused("trusted network rule " + t.name + " already exists");
  db_.prepare("INSERT INTO trusted_networks (name, networks) VALUES (?, ?)").bind(1, t.name).bind(2, util::join(t.networks, ",")).run();
}

void RelayTables::remove_trusted(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  db_.prepare("DELETE FROM trusted_networks WHERE name = ?").bind(1, name).run();
  if (db_.changes() == 0) throw Refused("trusted network rule " + name + " does not exist");
}

std::vector<TrustedNetwork> RelayTables::trusted() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<TrustedNetwork> out;
  auto st = db_.prepare("SELECT name, networks FROM trusted_networks ORDER BY name");
  while (st.step()) out.push_back({st.text(0), util::split_list(st.text(1))});
  return out;
}

void RelayTables::add_relay_domain(const RelayDomain& d) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare("SELECT 1 FROM domains WHERE name = ?");
  st.bind(1, d.domain);
  if (st.step()) throw Refused(d.domain + " is hosted here; a relay domain must be one Postern passes on");
  auto dup = db_.prepare("SELECT 1 FROM relay_domains WHERE domain = ?");
  dup.bind(1, d.domain);
  if (dup.step()) throw Refused("relay domain " + d.domain + " already exists");
  db_.prepare("INSERT INTO relay_domains (domain, next_hop) VALUES (?, ?)").bind(1, d.domain).bind(2, d.next_hop).run();
}

void RelayTables::remove_relay_domain(const std::string& domain) {
  std::lock_guard<std::mutex> lock(mu_);
  db_.prepare("DELETE FROM relay_domains WHERE domain = ?").bind(1, domain).run();
  if (db_.changes() == 0) throw Refused("relay domain " + domain + " does not exist");
}

std::vector<RelayDomain> RelayTables::relay_domains() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RelayDomain> out;
  auto st = db_.prepare("SELECT domain, next_hop FROM relay_domains ORDER BY domain");
  while (st.step()) out.push_back({st.text(0), st.text(1)});
  return out;
}

std::optional<RelayDomain> RelayTables::relay_domain(const std::string& domain) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare("SELECT domain, next_hop FROM relay_domains WHERE domain = ?");
  st.bind(1, domain);
  if (!st.step()) return std::nullopt;
  return RelayDomain{st.text(0), st.text(1)};
}

void RelayTables::add_rule(RelayRule r) {
  std::lock_guard<std::mutex> lock(mu_);
  auto dup = db_.prepare("SELECT 1 FROM relay_rules WHERE name = ?");
  dup.bind(1, r.name);
  if (dup.step()) throw Refused("relay rule " + r.name + " already exists");
  auto max = db_.prepare("SELECT COALESCE(MAX(position), 0) FROM relay_rules");
  max.step();
  r.position = int(max.integer(0)) + 1;
  db_.prepare("INSERT INTO relay_rules (name, position, kind, patterns, host, port, tls, verify, username, password) VALUES (?,?,?,?,?,?,?,?,?,?)")
      .bind(1, r.name).bind(2, int64_t(r.position)).bind(3, r.kind).bind(4, util::join(r.patterns, ","))
      .bind(5, r.host).bind(6, int64_t(r.port)).bind(7, r.tls).bind(8, int64_t(r.verify ? 1 : 0))
      .bind(9, r.username).bind(10, r.password).run();
}

void RelayTables::remove_rule(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  db_.prepare("DELETE FROM relay_rules WHERE name = ?").bind(1, name).run();
  if (db_.changes() == 0) throw Refused("relay rule " + name + " does not exist");
}

std::vector<RelayRule> RelayTables::rules() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<RelayRule> out;
  auto st = db_.prepare(std::string(kRuleColumns) + "ORDER BY position");
  while (st.step()) out.push_back(read_rule(st));
  return out;
}

std::optional<RelayRule> RelayTables::rule(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare(std::string(kRuleColumns) + "WHERE name = ?");
  st.bind(1, name);
  if (!st.step()) return std::nullopt;
  return read_rule(st);
}

void RelayTables::set_credentials(const HostCredentials& c) {
  std::lock_guard<std::mutex> lock(mu_);
  db_.prepare("INSERT INTO host_credentials (host, username, password) VALUES (?, ?, ?) "
              "ON CONFLICT(host) DO UPDATE SET username = excluded.username, password = excluded.password")
      .bind(1, c.host).bind(2, c.username).bind(3, c.password).run();
}

void RelayTables::remove_credentials(const std::string& host) {
  std::lock_guard<std::mutex> lock(mu_);
  db_.prepare("DELETE FROM host_credentials WHERE host = ?").bind(1, host).run();
  if (db_.changes() == 0) throw Refused("no credentials stored for " + host);
}

std::vector<HostCredentials> RelayTables::credentials() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<HostCredentials> out;
  auto st = db_.prepare("SELECT host, username, password FROM host_credentials ORDER BY host");
  while (st.step()) out.push_back({st.text(0), st.text(1), st.text(2)});
  return out;
}

std::optional<HostCredentials> RelayTables::credentials_for(const std::string& host) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare("SELECT host, username, password FROM host_credentials WHERE host = ?");
  st.bind(1, host);
  if (!st.step()) return std::nullopt;
  return HostCredentials{st.text(0), st.text(1), st.text(2)};
}

}  // namespace postern::store

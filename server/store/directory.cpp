#include "store/directory.h"

#include <ctime>

#include "store/schema.h"
#include "util/strings.h"

namespace postern::store {

Directory::Directory(const std::string& db_path) : db_(db_path) { migrate_main_db(db_); }

std::string Directory::domain_of(const std::string& address) {
  auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : address.substr(at + 1);
}

bool Directory::exists(const char* sql, const std::string& key) {
  auto st = db_.prepare(sql);
  st.bind(1, key);
  return st.step();
}

void Directory::add_domain(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (exists("SELECT 1 FROM domains WHERE name = ?", name)) throw Refused("domain " + name + " already exists");
  db_.prepare("INSERT INTO domains (name, created_at) VALUES (?, ?)").bind(1, name).bind(2, int64_t(std::time(nullptr))).run();
}

void Directory::remove_domain(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!exists("SELECT 1 FROM domains WHERE name = ?", name)) throw Refused("domain " + name + " does not exist");
  auto count = [&](const char* sql) {
    auto st = db_.prepare(sql);
    st.bind(1, name);
    st.step();
    return st.integer(0);
  };
  auto users = count("SELECT count(*) FROM users WHERE domain = ?");
  auto aliases = count("SELECT count(*) FROM aliases WHERE domain = ?");
  if (users || aliases)
    throw Refused("domain " + name + " still has " + std::to_string(users) + " user(s) and " +
                  std::to_string(aliases) + " alias(es); remove them first");
  db_.prepare("DELETE FROM domains WHERE name = ?").bind(1, name).run();
}

std::vector<std::string> Directory::domains() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  auto st = db_.prepare("SELECT name FROM domains ORDER BY name");
  while (st.step()) out.push_back(st.text(0));
  return out;
}

bool Directory::is_local_domain(const std::string& name) {
  std::lock_guard<std::mutex> lock(mu_);
  return exists("SELECT 1 FROM domains WHERE name = ?", name);
}

void Directory::add_user(const std::string& address, const std::string& password_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  auto domain = domain_of(address);
  if (!exists("SELECT 1 FROM domains WHERE name = ?", domain))
    throw Refused("domain " + domain + " is not hosted here; add it first with 'postern domain add " + domain + "'");
  if (exists("SELECT 1 FROM users WHERE address = ?", address)) throw Refused("user " + address + " already exists");
  if (exists("SELECT 1 FROM aliases WHERE address = ?", address))
    throw Refused(address + " is already an alias; remove the alias first");
  db_.prepare("INSERT INTO users (address, domain, password_hash, created_at) VALUES (?, ?, ?, ?)")
      .bind(1, address).bind(2, domain).bind(3, password_hash).bind(4, int64_t(std::time(nullptr))).run();
}

void Directory::set_password(const std::string& address, const std::string& password_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  db_.prepare("UPDATE users SET password_hash = ? WHERE address = ?").bind(1, password_hash).bind(2, address).run();
  if (db_.changes() == 0) throw Refused("user " + address + " does not exist");
}

void Directory::remove_user(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  db_.prepare("DELETE FROM users WHERE address = ?").bind(1, address).run();
  if (db_.changes() == 0) throw Refused("user " + address + " does not exist");
}

std::vector<std::string> Directory::users() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  auto st = db_.prepare("SELECT address FROM users ORDER BY domain, address");
  while (st.step()) out.push_back(st.text(0));
  return out;
}

std::optional<std::string> Directory::password_hash(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare("SELECT password_hash FROM users WHERE address = ?");
  st.bind(1, address);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

std::optional<std::string> Directory::first_user(const std::string& domain) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare("SELECT address FROM users WHERE domain = ? ORDER BY address LIMIT 1");
  st.bind(1, domain);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

void Directory::add_alias(const std::string& address, const std::vector<std::string>& targets) {
  std::lock_guard<std::mutex> lock(mu_);
  auto domain = domain_of(address);
  if (!exists("SELECT 1 FROM domains WHERE name = ?", domain))
    throw Refused("domain " + domain + " is not hosted here; add it first with 'postern domain add " + domain + "'");
  if (exists("SELECT 1 FROM users WHERE address = ?", address))
    throw Refused(address + " is a user; an alias cannot have the same address");
  if (exists("SELECT 1 FROM aliases WHERE address = ?", address)) throw Refused("alias " + address + " already exists");
  db_.prepare("INSERT INTO aliases (address, domain, targets) VALUES (?, ?, ?)")
      .bind(1, address).bind(2, domain).bind(3, util::join(targets, ",")).run();
}

void Directory::remove_alias(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  db_.prepare("DELETE FROM aliases WHERE address = ?").bind(1, address).run();
  if (db_.changes() == 0) throw Refused("alias " + address + " does not exist");
}

std::vector<AliasEntry> Directory::aliases() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<AliasEntry> out;
  auto st = db_.prepare("SELECT address, targets FROM aliases ORDER BY domain, address");
  while (st.step()) out.push_back({st.text(0), util::split_list(st.text(1))});
  return out;
}

std::optional<std::vector<std::string>> Directory::alias_targets(const std::string& address) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare("SELECT targets FROM aliases WHERE address = ?");
  st.bind(1, address);
  if (!st.step()) return std::nullopt;
  return util::split_list(st.text(0));
}

void Directory::set_admin_password(const std::string& password_hash) {
  std::lock_guard<std::mutex> lock(mu_);
  db_.prepare("INSERT INTO admin (id, password_hash) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET password_hash = excluded.password_hash")
      .bind(1, password_hash).run();
}

bool Directory::has_admin_password() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare("SELECT 1 FROM admin WHERE id = 1");
  return st.step();
}

std::optional<std::string> Directory::admin_password_hash() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare("SELECT password_hash FROM admin WHERE id = 1");
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

}  // namespace postern::store

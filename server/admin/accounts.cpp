// Admin facade: hosted domains, users, aliases and the admin password.
#include <mutex>

#include "admin/admin.h"
#include "admin/missing.h"
#include "auth/password.h"

namespace postern::admin {

std::string Admin::add_domain(const std::string& name) {
  auto key = domain_name(name, "name");
  directory_.add_domain(key);
  return key;
}

std::string Admin::remove_domain(const std::string& name) {
  auto key = domain_name(name, "name");
  not_found_if_missing([&] { directory_.remove_domain(key); });
  return key;
}

std::vector<std::string> Admin::domains() { return directory_.domains(); }

std::string Admin::add_user(const std::string& address, const std::string& password) {
  auto key = account_key(address, "address");
  if (auto p = password_problem(password)) throw Invalid("password", *p);
  directory_.add_user(key, auth::hash_password(password));
  return key;
}

std::string Admin::set_user_password(const std::string& address, const std::string& password) {
  auto key = account_key(address, "address");
  if (auto p = password_problem(password)) throw Invalid("password", *p);
  not_found_if_missing([&] { directory_.set_password(key, auth::hash_password(password)); });
  return key;
}

std::string Admin::remove_user(const std::string& address) {
  auto key = account_key(address, "address");
  not_found_if_missing([&] { directory_.remove_user(key); });
  return key;
}

std::vector<std::string> Admin::users() { return directory_.users(); }

store::AliasEntry Admin::add_alias(const std::string& address, const std::vector<std::string>& targets) {
  auto entry = alias_entry(address, targets);
  directory_.add_alias(entry.address, entry.targets);
  return entry;
}

std::string Admin::remove_alias(const std::string& address) {
  auto key = account_key(address, "address");
  not_found_if_missing([&] { directory_.remove_alias(key); });
  return key;
}

std::vector<store::AliasEntry> Admin::aliases() { return directory_.aliases(); }

void Admin::set_admin_password(const std::string& password) {
  if (auto p = password_problem(password)) throw Invalid("password", *p);
  directory_.set_admin_password(auth::hash_password(password));
}

bool Admin::check_admin_password(const std::string& password) {
  // One Argon2 check at a time (19 MiB each): a burst of logins must not eat a small NAS's memory.
  static std::mutex one_at_a_time;
  std::lock_guard<std::mutex> lock(one_at_a_time);
  auto hash = directory_.admin_password_hash();
  return hash && auth::verify_password(*hash, password);
}

}  // namespace postern::admin

// Hosted domains, users and aliases in DIR/postern.db. Addresses are stored by their
// lookup key (lower-cased). Expected refusals (duplicate, unknown, still in use) throw
// store::Refused with a message meant for the admin; database failures throw DbError.
// Threading: all methods are safe to call from any thread (one connection, one mutex).
#pragma once
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace postern::store {

class Refused : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AliasEntry {
  std::string address;
  std::vector<std::string> targets;
};

class Directory {
 public:
  explicit Directory(const std::string& db_path);

  void add_domain(const std::string& name);
  void remove_domain(const std::string& name);
  std::vector<std::string> domains();
  bool is_local_domain(const std::string& name);

  void add_user(const std::string& address, const std::string& password_hash);
  void set_password(const std::string& address, const std::string& password_hash);
  void remove_user(const std::string& address);
  std::vector<std::string> users();
  std::optional<std::string> password_hash(const std::string& address);
  // The domain's first user by address, if any (default postmaster recipient).
  std::optional<std::string> first_user(const std::string& domain);

  void add_alias(const std::string& address, const std::vector<std::string>& targets);
  void remove_alias(const std::string& address);
  std::vector<AliasEntry> aliases();
  std::optional<std::vector<std::string>> alias_targets(const std::string& address);

  void set_admin_password(const std::string& password_hash);
  bool has_admin_password();
  std::optional<std::string> admin_password_hash();

 private:
  static std::string domain_of(const std::string& address);
  bool exists(const char* sql, const std::string& key);

  std::mutex mu_;
  Db db_;
};

}  // namespace postern::store

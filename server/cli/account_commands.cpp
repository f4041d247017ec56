// `postern domain`, `postern user`, `postern alias`, `postern admin`: the directory.
#include <iostream>

#include "auth/password.h"
#include "cli/cli.h"
#include "daemon/data_dir.h"
#include "mail/address.h"
#include "store/directory.h"
#include "store/maildir.h"
#include "util/strings.h"

namespace postern::cli {

namespace {

store::Directory open_directory(const Args& args) {
  daemon::DataDir dir{args.data_dir};
  dir.create();
  return store::Directory(dir.main_db());
}

// A user or alias address: valid, ASCII (it names a folder), and safe as a folder name.
std::optional<std::string> account_key(const std::string& text, std::string& error) {
  auto a = mail::Address::parse(text, false);
  if (!a || a->domain.front() == '[') {
    error = "'" + text + "' is not a valid email address";
    return std::nullopt;
  }
  try {
    store::maildir_path("/", a->key());
  } catch (const std::invalid_argument&) {
    error = "'" + text + "' cannot be used as a mailbox name (no '/' and no leading '.')";
    return std::nullopt;
  }
  return a->key();
}

}  // namespace

int domain_command(const Args& args) {
  if (args.words.empty()) return usage_error("domain needs add, remove or list");
  const auto& sub = args.words[0];
  auto directory = open_directory(args);
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& d : directory.domains()) std::cout << d << "\n";
    return 0;
  }
  if ((sub == "add" || sub == "remove") && args.words.size() == 2) {
    auto name = util::to_lower(args.words[1]);
    if (name.find('.') == std::string::npos || name.front() == '[' || !mail::valid_domain(name))
      return refused("'" + args.words[1] + "' is not a valid domain name (for example example.com)");
    if (sub == "add") directory.add_domain(name);
    else directory.remove_domain(name);
    std::cout << (sub == "add" ? "added domain " : "removed domain ") << name << "\n";
    return 0;
  }
  return usage_error("domain add NAME | remove NAME | list");
}

int user_command(const Args& args) {
  if (args.words.empty()) return usage_error("user needs add, passwd, remove or list");
  const auto& sub = args.words[0];
  auto directory = open_directory(args);
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& u : directory.users()) std::cout << u << "\n";
    return 0;
  }
  if (args.words.size() != 2) return usage_error("user " + sub + " ADDRESS");
  std::string error;
  auto key = account_key(args.words[1], error);
  if (!key) return refused(error);
  if (sub == "add" || sub == "passwd") {
    if (!args.password_stdin) return usage_error("user " + sub + " needs --password-stdin");
    std::string password;
    if (!read_password(password, error)) return refused(error);
    auto hash = auth::hash_password(password);
    if (sub == "add") directory.add_user(*key, hash);
    else directory.set_password(*key, hash);
    std::cout << (sub == "add" ? "added user " : "changed password of ") << *key << "\n";
    return 0;
  }
  if (sub == "remove") {
    directory.remove_user(*key);
    std::cout << "removed user " << *key << " (its mail folder is kept)\n";
    return 0;
  }
  return usage_error("unknown user action '" + sub + "'");
}

int alias_command(const Args& args) {
  if (args.words.empty()) return usage_error("alias needs add, remove or list");
  const auto& sub = args.words[0];
  auto directory = open_directory(args);
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& a : directory.aliases()) std::cout << a.address << " -> " << util::join(a.targets, ",") << "\n";
    return 0;
  }
  std::string error;
  if (sub == "add" && args.words.size() == 3) {
    auto key = account_key(args.words[1], error);
    if (!key) return refused(error);
    std::vector<std::string> targets;
    for (const auto& t : util::split_list(args.words[2])) {
      auto a = mail::Address::parse(t, true);
      if (!a) return refused("alias target '" + t + "' is not a valid email address");
      if (a->key() == *key) return refused("alias " + *key + " cannot point to itself");
      targets.push_back(a->key());
    }
    if (targets.empty()) return refused("alias needs at least one target");
    directory.add_alias(*key, targets);
    std::cout << "added alias " << *key << " -> " << util::join(targets, ",") << "\n";
    return 0;
  }
  if (sub == "remove" && args.words.size() == 2) {
    auto key = account_key(args.words[1], error);
    if (!key) return refused(error);
    directory.remove_alias(*key);
    std::cout << "removed alias " << *key << "\n";
    return 0;
  }
  return usage_error("alias add ALIAS TARGET[,TARGET] | remove ALIAS | list");
}

int admin_command(const Args& args) {
  if (args.words.size() != 1 || args.words[0] != "passwd" || !args.password_stdin)
    return usage_error("admin passwd --password-stdin");
  std::string password, error;
  if (!read_password(password, error)) return refused(error);
  auto directory = open_directory(args);
  directory.set_admin_password(auth::hash_password(password));
  std::cout << "changed the admin password\n";
  return 0;
}

}  // namespace postern::cli

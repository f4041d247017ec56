// `postern domain`, `postern user`, `postern alias`, `postern admin`: the directory, through
// the admin facade (the same checks as the API).
#include <iostream>

#include "cli/admin_access.h"
#include "cli/cli.h"
#include "util/strings.h"

namespace postern::cli {

int domain_command(const Args& args) {
  if (args.words.empty()) return usage_error("domain needs add, remove or list");
  const auto& sub = args.words[0];
  AdminAccess access(args.data_dir);
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& d : access.admin.domains()) std::cout << d << "\n";
    return 0;
  }
  if (sub == "add" && args.words.size() == 2) {
    std::cout << "added domain " << access.admin.add_domain(args.words[1]) << "\n";
    return 0;
  }
  if (sub == "remove" && args.words.size() == 2) {
    std::cout << "removed domain " << access.admin.remove_domain(args.words[1]) << "\n";
    return 0;
  }
  return usage_error("domain add NAME | remove NAME | list");
}

int user_command(const Args& args) {
  if (args.words.empty()) return usage_error("user needs add, passwd, remove or list");
  const auto& sub = args.words[0];
  AdminAccess access(args.data_dir);
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& u : access.admin.users()) std::cout << u << "\n";
    return 0;
  }
  if (args.words.size() != 2) return usage_error("user " + sub + " ADDRESS");
  if (sub == "add" || sub == "passwd") {
    if (!args.password_stdin) return usage_error("user " + sub + " needs --password-stdin");
    std::string password, error;
    if (!read_password(password, error)) return refused(error);
    if (sub == "add") std::cout << "added user " << access.admin.add_user(args.words[1], password) << "\n";
    else std::cout << "changed password of " << access.admin.set_user_password(args.words[1], password) << "\n";
    return 0;
  }
  if (sub == "remove") {
    std::cout << "removed user " << access.admin.remove_user(args.words[1]) << " (its mail folder is kept)\n";
    return 0;
  }
  return usage_error("unknown user action '" + sub + "'");
}

int alias_command(const Args& args) {
  if (args.words.empty()) return usage_error("alias needs add, remove or list");
  const auto& sub = args.words[0];
  AdminAccess access(args.data_dir);
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& a : access.admin.aliases()) std::cout << a.address << " -> " << util::join(a.targets, ",") << "\n";
    return 0;
  }
  if (sub == "add" && args.words.size() == 3) {
    auto a = access.admin.add_alias(args.words[1], util::split_list(args.words[2]));
    std::cout << "added alias " << a.address << " -> " << util::join(a.targets, ",") << "\n";
    return 0;
  }
  if (sub == "remove" && args.words.size() == 2) {
    std::cout << "removed alias " << access.admin.remove_alias(args.words[1]) << "\n";
    return 0;
  }
  return usage_error("alias add ALIAS TARGET[,TARGET] | remove ALIAS | list");
}

int admin_command(const Args& args) {
  if (args.words.size() != 1 || args.words[0] != "passwd" || !args.password_stdin)
    return usage_error("admin passwd --password-stdin");
  std::string password, error;
  if (!read_password(password, error)) return refused(error);
  AdminAccess access(args.data_dir);
  access.admin.set_admin_password(password);
  std::cout << "changed the admin password\n";
  return 0;
}

}  // namespace postern::cli

// `postern trusted`, `relay-domain`, `rule`, `credentials`: relay control and routing
// tables, through the admin facade (which validates every entry before it is stored).
// Passwords are read from standard input and never printed.
#include <iostream>

#include "cli/admin_access.h"
#include "cli/cli.h"
#include "util/strings.h"

namespace postern::cli {

int trusted_command(const Args& args) {
  const char* usage = "trusted add NAME CIDR[,CIDR...] | remove NAME | list";
  if (args.words.empty()) return usage_error(usage);
  AdminAccess access(args.data_dir);
  const auto& sub = args.words[0];
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& t : access.admin.trusted()) std::cout << t.name << " " << util::join(t.networks, ",") << "\n";
    return 0;
  }
  if (sub == "add" && args.words.size() == 3) {
    auto t = access.admin.add_trusted(args.words[1], util::split_list(args.words[2]));
    std::cout << "added trusted networks " << t.name << " " << util::join(t.networks, ",") << "\n";
    return 0;
  }
  if (sub == "remove" && args.words.size() == 2) {
    access.admin.remove_trusted(args.words[1]);
    std::cout << "removed trusted networks " << args.words[1] << "\n";
    return 0;
  }
  return usage_error(usage);
}

int relay_domain_command(const Args& args) {
  const char* usage = "relay-domain add DOMAIN [HOST[:PORT]] | remove DOMAIN | list";
  if (args.words.empty()) return usage_error(usage);
  AdminAccess access(args.data_dir);
  const auto& sub = args.words[0];
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& d : access.admin.relay_domains())
      std::cout << d.domain << " -> " << (d.next_hop.empty() ? "(MX)" : d.next_hop) << "\n";
    return 0;
  }
  if (sub == "add" && (args.words.size() == 2 || args.words.size() == 3)) {
    auto d = access.admin.add_relay_domain(args.words[1], args.words.size() == 3 ? args.words[2] : "");
    std::cout << "added relay domain " << d.domain << " -> " << (d.next_hop.empty() ? "(MX)" : d.next_hop) << "\n";
    return 0;
  }
  if (sub == "remove" && args.words.size() == 2) {
    access.admin.remove_relay_domain(args.words[1]);
    std::cout << "removed relay domain " << args.words[1] << "\n";
    return 0;
  }
  return usage_error(usage);
}

int rule_command(const Args& args) {
  const char* usage =
      "rule add NAME recipient|sender PATTERN[,PATTERN...] HOST[:PORT] [--tls starttls|implicit|opportunistic] "
      "[--no-verify] [--username NAME --password-stdin] | remove NAME | list";
  if (args.words.empty()) return usage_error(usage);
  AdminAccess access(args.data_dir);
  const auto& sub = args.words[0];
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& r : access.admin.rules()) {
      std::cout << r.position << " " << r.name << " " << r.kind << " " << util::join(r.patterns, ",") << " -> "
                << r.host << ":" << r.port << " tls=" << r.tls << (r.verify ? " verify" : " no-verify");
      if (!r.username.empty()) std::cout << " username=" << r.username << " password=********";
      std::cout << "\n";
    }
    return 0;
  }
  if (sub == "add" && args.words.size() == 5) {
    admin::RuleInput in;
    in.name = args.words[1];
    in.kind = args.words[2];
    in.patterns = util::split_list(args.words[3]);
    in.host = args.words[4];
    if (args.options.count("tls")) in.tls = args.options.at("tls");
    in.verify = !args.no_verify;
    if (args.options.count("username")) {
      in.username = args.options.at("username");
      if (!args.password_stdin) return usage_error("--username needs --password-stdin");
      in.password = read_secret();
    }
    auto r = access.admin.add_rule(in);
    std::cout << "added rule " << r.name << "\n";
    return 0;
  }
  if (sub == "remove" && args.words.size() == 2) {
    access.admin.remove_rule(args.words[1]);
    std::cout << "removed rule " << args.words[1] << "\n";
    return 0;
  }
  return usage_error(usage);
}

int credentials_command(const Args& args) {
  const char* usage = "credentials add HOST USERNAME --password-stdin | remove HOST | list";
  if (args.words.empty()) return usage_error(usage);
  AdminAccess access(args.data_dir);
  const auto& sub = args.words[0];
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& c : access.admin.credentials()) std::cout << c.host << " " << c.username << " password=********\n";
    return 0;
  }
  if (sub == "add" && args.words.size() == 3) {
    if (!args.password_stdin) return usage_error("credentials add needs --password-stdin");
    auto c = access.admin.set_credentials(args.words[1], args.words[2], read_secret());
    std::cout << "stored credentials for " << c.host << "\n";
    return 0;
  }
  if (sub == "remove" && args.words.size() == 2) {
    access.admin.remove_credentials(args.words[1]);
    std::cout << "removed credentials for " << args.words[1] << "\n";
    return 0;
  }
  return usage_error(usage);
}

}  // namespace postern::cli

// `postern trusted`, `relay-domain`, `rule`, `credentials`: relay control and routing
// tables. Every entry is validated by policy before it is stored; passwords are read from
// standard input and never printed.
#include <cctype>
#include <iostream>

#include "cli/cli.h"
#include "daemon/data_dir.h"
#include "mail/address.h"
#include "policy/relay_validation.h"
#include "store/relay_tables.h"
#include "util/cidr.h"
#include "util/strings.h"

namespace postern::cli {

namespace {
store::RelayTables open_tables(const Args& args) {
  daemon::DataDir dir{args.data_dir};
  dir.create();
  return store::RelayTables(dir.main_db());
}

bool valid_name(const std::string& name) {
  if (name.empty() || name.size() > 64) return false;
  for (unsigned char c : name)
    if (!std::isalnum(c) && c != '-' && c != '_' && c != '.') return false;
  return true;
}

const char* kNameRule = "names use letters, digits, '-', '_' and '.', at most 64";
}  // namespace

int trusted_command(const Args& args) {
  const char* usage = "trusted add NAME CIDR[,CIDR...] | remove NAME | list";
  if (args.words.empty()) return usage_error(usage);
  auto tables = open_tables(args);
  const auto& sub = args.words[0];
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& t : tables.trusted()) std::cout << t.name << " " << util::join(t.networks, ",") << "\n";
    return 0;
  }
  if (sub == "add" && args.words.size() == 3) {
    if (!valid_name(args.words[1])) return refused(std::string("trusted: ") + kNameRule);
    auto nets = util::split_list(args.words[2]);
    if (auto err = policy::validate_relay_networks("trusted " + args.words[1], nets)) return refused(*err);
    for (auto& n : nets) n = util::Cidr::parse(n)->to_string();
    tables.add_trusted({args.words[1], nets});
    std::cout << "added trusted networks " << args.words[1] << " " << util::join(nets, ",") << "\n";
    return 0;
  }
  if (sub == "remove" && args.words.size() == 2) {
    tables.remove_trusted(args.words[1]);
    std::cout << "removed trusted networks " << args.words[1] << "\n";
    return 0;
  }
  return usage_error(usage);
}

int relay_domain_command(const Args& args) {
  const char* usage = "relay-domain add DOMAIN [HOST[:PORT]] | remove DOMAIN | list";
  if (args.words.empty()) return usage_error(usage);
  auto tables = open_tables(args);
  const auto& sub = args.words[0];
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& d : tables.relay_domains())
      std::cout << d.domain << " -> " << (d.next_hop.empty() ? "(MX)" : d.next_hop) << "\n";
    return 0;
  }
  if (sub == "add" && (args.words.size() == 2 || args.words.size() == 3)) {
    auto domain = util::to_lower(args.words[1]);
    if (domain.find('.') == std::string::npos || !mail::valid_domain(domain))
      return refused("relay-domain: '" + args.words[1] + "' is not a valid domain name");
    std::string next_hop;
    if (args.words.size() == 3) {
      std::string host;
      int port = 0;
      if (auto err = policy::parse_host_port("relay-domain next hop", args.words[2], host, port)) return refused(*err);
      next_hop = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + (port ? ":" + std::to_string(port) : "");
    }
    tables.add_relay_domain({domain, next_hop});
    std::cout << "added relay domain " << domain << " -> " << (next_hop.empty() ? "(MX)" : next_hop) << "\n";
    return 0;
  }
  if (sub == "remove" && args.words.size() == 2) {
    tables.remove_relay_domain(util::to_lower(args.words[1]));
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
  auto tables = open_tables(args);
  const auto& sub = args.words[0];
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& r : tables.rules()) {
      std::cout << r.position << " " << r.name << " " << r.kind << " " << util::join(r.patterns, ",") << " -> "
                << r.host << ":" << r.port << " tls=" << r.tls << (r.verify ? " verify" : " no-verify");
      if (!r.username.empty()) std::cout << " username=" << r.username << " password=********";
      std::cout << "\n";
    }
    return 0;
  }
  if (sub == "add" && args.words.size() == 5) {
    store::RelayRule r;
    r.name = args.words[1];
    if (!valid_name(r.name)) return refused(std::string("rule: ") + kNameRule);
    r.kind = args.words[2];
    if (r.kind != "recipient" && r.kind != "sender") return refused("rule " + r.name + ": kind must be recipient or sender");
    r.patterns = util::split_list(args.words[3]);
    if (r.patterns.empty()) return refused("rule " + r.name + ": needs at least one pattern");
    for (auto& p : r.patterns) {
      if (auto err = policy::validate_pattern(p)) return refused("rule " + r.name + ": " + *err);
      p = util::to_lower(p);
    }
    int port = 0;
    if (auto err = policy::parse_host_port("rule " + r.name + " host", args.words[4], r.host, port)) return refused(*err);
    auto tls = args.options.count("tls") ? args.options.at("tls") : "starttls";
    if (tls != "starttls" && tls != "implicit" && tls != "opportunistic")
      return refused("rule " + r.name + ": --tls must be starttls, implicit or opportunistic");
    r.tls = tls;
    r.port = port ? port : (tls == "implicit" ? 465 : 587);
    r.verify = !args.no_verify;
    if (args.options.count("username")) {
      r.username = args.options.at("username");
      if (!args.password_stdin) return usage_error("--username needs --password-stdin");
      std::string error;
      if (!read_secret(r.password, error)) return refused("rule " + r.name + ": " + error);
    }
    tables.add_rule(r);
    std::cout << "added rule " << r.name << "\n";
    return 0;
  }
  if (sub == "remove" && args.words.size() == 2) {
    tables.remove_rule(args.words[1]);
    std::cout << "removed rule " << args.words[1] << "\n";
    return 0;
  }
  return usage_error(usage);
}

int credentials_command(const Args& args) {
  const char* usage = "credentials add HOST USERNAME --password-stdin | remove HOST | list";
  if (args.words.empty()) return usage_error(usage);
  auto tables = open_tables(args);
  const auto& sub = args.words[0];
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& c : tables.credentials()) std::cout << c.host << " " << c.username << " password=********\n";
    return 0;
  }
  if (sub == "add" && args.words.size() == 3) {
    std::string host;
    int port = 0;
    if (auto err = policy::parse_host_port("credentials host", args.words[1], host, port)) return refused(*err);
    if (!args.password_stdin) return usage_error("credentials add needs --password-stdin");
    std::string password, error;
    if (!read_secret(password, error)) return refused("credentials: " + error);
    tables.set_credentials({host, args.words[2], password});
    std::cout << "stored credentials for " << host << "\n";
    return 0;
  }
  if (sub == "remove" && args.words.size() == 2) {
    tables.remove_credentials(util::to_lower(args.words[1]));
    std::cout << "removed credentials for " << args.words[1] << "\n";
    return 0;
  }
  return usage_error(usage);
}

}  // namespace postern::cli

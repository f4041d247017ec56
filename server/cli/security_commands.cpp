// `postern access`, `block` and `authlog`: the black and white lists (SEC-1), client blocks
// (automatic ones from SEC-5 and ACC-3, and manual ones), and the authentication-failure
// log (ACC-2). Rules and blocks are validated and stored by the admin facade, the same
// code the JSON API calls; a running daemon sees every change at its next connection or
// command.
#include <ctime>
#include <deque>
#include <fstream>
#include <iostream>

#include "cli/admin_access.h"
#include "cli/cli.h"
#include "config/registry.h"
#include "daemon/data_dir.h"
#include "log/auth_log.h"
#include "store/access_tables.h"
#include "util/cidr.h"
#include "util/strings.h"

namespace postern::cli {

namespace {
store::AccessTables open_access(const Args& args) {
  daemon::DataDir dir{args.data_dir};
  dir.create();
  return store::AccessTables(dir.main_db());
}

std::string option(const Args& args, const char* name, const std::string& fallback = "") {
  auto it = args.options.find(name);
  return it == args.options.end() ? fallback : it->second;
}

std::string utc(int64_t t) {
  if (t == 0) return "never";
  std::time_t tt = std::time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "never", a duration from now ("90m", "4h", "2d"), or a UTC date "2026-12-01" /
// "2026-12-01T08:00:00Z". nullopt when unreadable.
std::optional<int64_t> parse_until(const std::string& text, int64_t now) {
  if (text.empty() || text == "never") return 0;
  if (auto d = config::parse_duration(text); d && *d > 0) return now + *d;
  for (const char* format : {"%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%d"}) {
    std::tm tm{};
    const char* end = strptime(text.c_str(), format, &tm);
    if (end && *end == '\0') {
      auto t = int64_t(timegm(&tm));
      if (t > now) return t;
      return std::nullopt;
    }
  }
  return std::nullopt;
}

// The facade's "list must be black or white" becomes "access: --list must be black or white".
int invalid(const char* verb, const admin::Invalid& e) {
  std::string message = e.what();
  if (!e.field.empty() && message.rfind(e.field + " ", 0) == 0) message = "--" + message;
  return refused(std::string(verb) + ": " + message);
}

int add_block(const Args& args, const std::string& ip, const std::string& default_reason) {
  auto until = parse_until(option(args, "until"), int64_t(std::time(nullptr)));
  if (!until) return refused("block: --until must be never, a duration such as 4h or 2d, or a future UTC date such as 2026-12-01");
  try {
    auto block = AdminAccess(args.data_dir).admin.add_block(ip, option(args, "reason", default_reason), *until);
    std::cout << "blocked " << block.ip << " until " << utc(block.expires_at) << ": " << block.reason << "\n";
  } catch (const admin::Invalid& e) {
    return invalid("block", e);
  }
  return 0;
}

int print_added(const store::AccessRow& row) {
  std::cout << "added " << row.id << " " << row.list << " " << row.type << " " << row.value
            << (row.list == "black" ? " " + row.action : std::string()) << "\n";
  return 0;
}
}  // namespace

int access_command(const Args& args) {
  const char* usage =
      "access list | add --list black|white --type ip|cidr|sender|recipient|domain VALUE [--action reject|discard] | remove ID";
  if (args.words.empty()) return usage_error(usage);
  const auto& sub = args.words[0];
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& r : open_access(args).rules()) {
      std::cout << r.id << " " << r.list << " " << r.type << " " << r.value;
      if (r.list == "black") std::cout << " " << r.action;
      std::cout << "\n";
    }
    return 0;
  }
  if (sub == "add" && args.words.size() == 2) {
    // Stricter than the API, which tolerates the panel's default action on whitelist rules.
    if (option(args, "list") == "white" && args.options.count("action"))
      return refused("access: --action applies to blacklist rules only");
    try {
      return print_added(AdminAccess(args.data_dir).admin.add_security_rule(
          {option(args, "list"), option(args, "type"), args.words[1], option(args, "action")}));
    } catch (const admin::Invalid& e) {
      return invalid("access", e);
    }
  }
  if (sub == "remove" && args.words.size() == 2) {
    long long id = 0;
    if (!util::parse_int(args.words[1], id) || id <= 0) return refused("access: ID must be a rule number from access list");
    AdminAccess(args.data_dir).admin.remove_security_rule(id);
    std::cout << "removed access rule " << id << "\n";
    return 0;
  }
  return usage_error(usage);
}

int block_command(const Args& args) {
  const char* usage = "block list | add IP [--reason TEXT] [--until never|DURATION|DATE] | lift IP";
  if (args.words.empty()) return usage_error(usage);
  const auto& sub = args.words[0];
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& b : open_access(args).blocks(std::time(nullptr)))
      std::cout << b.ip << " since " << utc(b.created_at) << " until " << utc(b.expires_at) << " " << b.reason << "\n";
    return 0;
  }
  if (sub == "add" && args.words.size() == 2) return add_block(args, args.words[1], "blocked by the administrator");
  if (sub == "lift" && args.words.size() == 2) {
    try {
      AdminAccess(args.data_dir).admin.lift_block(args.words[1]);
    } catch (const admin::Invalid& e) {
      return invalid("block", e);
    }
    std::cout << "lifted block of " << util::IpAddress::parse(args.words[1])->to_string() << "\n";
    return 0;
  }
  return usage_error(usage);
}

int authlog_command(const Args& args) {
  const char* usage = "authlog [--limit N] | block IP";
  if (args.words.size() == 2 && args.words[0] == "block") {
    // ACC-2's action: the IP goes on the blacklist (reject), like `access add --list black --type ip`.
    try {
      return print_added(AdminAccess(args.data_dir).admin.blacklist_ip(args.words[1]));
    } catch (const admin::Invalid& e) {
      return refused(std::string("authlog: ") + e.what());
    }
  }
  if (!args.words.empty()) return usage_error(usage);
  long long limit = 50;
  if (args.options.count("limit") && (!util::parse_int(args.options.at("limit"), limit) || limit < 1 || limit > 100000))
    return refused("authlog: --limit must be between 1 and 100000");
  daemon::DataDir dir{args.data_dir};
  std::deque<log::AuthFailure> last;
  for (const auto& path : {dir.logs() + "/auth.log.1", dir.logs() + "/auth.log"}) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line)) {
      auto f = log::parse_auth_failure(line);
      if (!f) continue;
      last.push_back(*f);
      if (last.size() > size_t(limit)) last.pop_front();
    }
  }
  // One failure per line, newest last; fields in a fixed order, "none" for no account.
  for (const auto& f : last)
    std::cout << f.time << " " << f.protocol << " " << f.session << " " << f.ip << " " << log::encode_field(f.login) << " "
              << (f.account.empty() ? "none" : f.account) << " " << (f.mechanism.empty() ? "-" : f.mechanism) << " "
              << (f.reason.empty() ? "-" : f.reason) << "\n";
  return 0;
}

}  // namespace postern::cli

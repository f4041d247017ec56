// Admin facade: the black and white lists (SEC-1), client blocks (SEC-5, ACC-2/3), the
// authentication-failure log read back (ACC-2) and the SPF cache (SPF-4). The rules for a
// valid value are policy's (normalize_access_value); the stores are the daemon's own
// objects, so a change takes effect at the next connection or command.
#include <ctime>
#include <fstream>

#include "admin/admin.h"
#include "policy/access_rules.h"
#include "util/cidr.h"

namespace postern::admin {

namespace {
std::string canonical_ip(const std::string& text) {
  auto ip = util::IpAddress::parse(text);
  if (!ip) throw Invalid("ip", "'" + text + "' is not an IP address");
  return ip->to_string();
}
}  // namespace

store::AccessTables& Admin::access() {
  if (!security_.access) throw std::runtime_error("the access tables are not open in this process");
  return *security_.access;
}

spf::Cache& Admin::cache() {
  if (!security_.spf_cache) throw std::runtime_error("the SPF cache is not open in this process");
  return *security_.spf_cache;
}

std::vector<store::AccessRow> Admin::security_rules() { return access().rules(); }

store::AccessRow Admin::add_security_rule(const SecurityRuleInput& in) {
  auto list = policy::parse_access_list(in.list);
  if (!list) throw Invalid("list", "list must be black or white");
  // The control panel names the sender's domain "sender_domain"; the engine calls it "domain".
  auto type = policy::parse_access_type(in.type == "sender_domain" ? "domain" : in.type);
  if (!type) throw Invalid("type", "type must be ip, cidr, sender, recipient or domain");
  auto action = policy::parse_access_action(in.action.empty() ? "reject" : in.action);
  if (!action) throw Invalid("action", "action must be reject or discard");
  // A whitelist rule has no action; "reject" is tolerated because forms send their default.
  if (*list == policy::AccessList::White && *action != policy::AccessAction::Reject)
    throw Invalid("action", "action applies to blacklist rules only");
  std::string error;
  auto value = policy::normalize_access_value(*type, in.value, error);
  if (!value) throw Invalid("value", error);
  store::AccessRow row{0, policy::name_of(*list), policy::name_of(*type), *value, policy::name_of(*action), 0};
  auto id = access().add_rule(row);
  for (const auto& stored : access().rules())
    if (stored.id == id) return stored;  // with the store's created_at
  row.id = id;
  return row;
}

void Admin::remove_security_rule(int64_t id) {
  for (const auto& r : access().rules())
    if (r.id == id) return access().remove_rule(id);
  throw NotFound("security rule " + std::to_string(id) + " does not exist");
}

std::vector<store::ClientBlock> Admin::blocks() { return access().blocks(std::time(nullptr)); }

store::ClientBlock Admin::add_block(const std::string& ip_text, const std::string& reason, int64_t until) {
  auto ip = canonical_ip(ip_text);
  if (reason.size() > 200) throw Invalid("reason", "reason must be at most 200 characters");
  for (unsigned char c : reason)
    if (c < 32 || c == 127) throw Invalid("reason", "reason must be one line of printable text");
  auto now = int64_t(std::time(nullptr));
  if (until < 0 || (until != 0 && until <= now))
    throw Invalid("until", "until must be a future time in Unix seconds, or 0 for until lifted");
  store::ClientBlock block{ip, reason.empty() ? "blocked by the administrator" : reason, now, until};
  access().block(block);
  return block;
}

void Admin::lift_block(const std::string& ip_text) {
  auto ip = canonical_ip(ip_text);
  if (!access().active_block(ip, std::time(nullptr))) throw NotFound("no block for " + ip);
  access().lift(ip);
}

AuthFailurePage Admin::auth_failures(size_t offset, size_t limit) {
  if (limit == 0 || limit > 1000) throw Invalid("limit", "limit must be between 1 and 1000");
  // XXX: reads both files whole, like read_log; auth.log is small next to smtp.log.
  std::vector<log::AuthFailure> all;
  for (const auto& path : {paths_.log_dir + "/auth.log.1", paths_.log_dir + "/auth.log"}) {
    std::ifstream in(path);
    std::string line;
    while (std::getline(in, line))
      if (auto f = log::parse_auth_failure(line)) all.push_back(std::move(*f));
  }
  AuthFailurePage page;
  page.total = all.size();
  for (size_t i = offset; i < all.size() && page.entries.size() < limit; ++i) page.entries.push_back(all[all.size() - 1 - i]);
  return page;
}

store::AccessRow Admin::blacklist_ip(const std::string& ip) {
  try {
    return add_security_rule({"black", "ip", ip, "reject"});
  } catch (const Invalid& e) {
    throw Invalid("ip", e.what());  // the caller sent an IP, not a rule
  }
}

std::vector<spf::Cache::Entry> Admin::spf_cache() { return cache().list(std::time(nullptr)); }

int Admin::clear_spf_cache() { return cache().clear(); }

}  // namespace postern::admin

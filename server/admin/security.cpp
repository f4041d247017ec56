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
  auto row = security_rule(in);
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
  auto block = client_block(ip_text, reason, until, int64_t(std::time(nullptr)));
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

#include "mtasts/fetch/policy_cache.h"

#include "store/sqlite.h"

namespace postern::mtasts {

PolicyCache::PolicyCache(std::string path) : path_(std::move(path)) {}
PolicyCache::~PolicyCache() = default;

store::Db& PolicyCache::db() {
  if (!db_) {
    auto db = std::make_unique<store::Db>(path_);
    db->exec("PRAGMA synchronous=OFF");
    db->exec(
        "CREATE TABLE IF NOT EXISTS sts_policy (domain TEXT PRIMARY KEY, id TEXT NOT NULL, policy TEXT NOT NULL,"
        " fetched INTEGER NOT NULL, expires INTEGER NOT NULL)");
    db_ = std::move(db);
  }
  return *db_;
}

std::optional<PolicyCache::Entry> PolicyCache::get(const std::string& domain, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    auto st = db().prepare("SELECT id, policy, fetched, expires FROM sts_policy WHERE domain=? AND expires>?");
    st.bind(1, domain).bind(2, now);
    if (!st.step()) return std::nullopt;
    auto policy = parse_policy(st.text(1));
    if (!policy) return std::nullopt;
    return Entry{domain, st.text(0), *policy, st.integer(2), st.integer(3)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void PolicyCache::put(const Entry& e) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    db().prepare("INSERT OR REPLACE INTO sts_policy VALUES (?, ?, ?, ?, ?)")
        .bind(1, e.domain)
        .bind(2, e.id)
        .bind(3, format_policy(e.policy))
        .bind(4, e.fetched)
        .bind(5, e.expires)
        .run();
  } catch (const std::exception&) {
    // A cache that cannot be written only means fetching the policy again next time.
  }
}

}  // namespace postern::mtasts

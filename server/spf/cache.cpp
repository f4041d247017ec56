#include "spf/cache.h"

#include "store/sqlite.h"

namespace postern::spf {

namespace {
Result result_from(const std::string& s) {
  for (Result r : {Result::None, Result::Neutral, Result::Pass, Result::Fail, Result::SoftFail, Result::TempError, Result::PermError})
    if (s == result_name(r)) return r;
  return Result::None;
}
}  // namespace

Cache::Cache(std::string path) : path_(std::move(path)) {}
Cache::~Cache() = default;

store::Db& Cache::db() {
  if (!db_) {
    auto db = std::make_unique<store::Db>(path_);
    db->exec("PRAGMA synchronous=OFF");
    db->exec(
        "CREATE TABLE IF NOT EXISTS spf_cache (ip TEXT NOT NULL, domain TEXT NOT NULL, result TEXT NOT NULL,"
        " explanation TEXT NOT NULL, problem TEXT NOT NULL, expires INTEGER NOT NULL, PRIMARY KEY (ip, domain))");
    db_ = std::move(db);
  }
  return *db_;
}

std::optional<Cache::Entry> Cache::get(const std::string& ip, const std::string& domain, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    auto st = db().prepare("SELECT result, explanation, problem, expires FROM spf_cache WHERE ip=? AND domain=? AND expires>?");
    st.bind(1, ip).bind(2, domain).bind(3, now);
    if (!st.step()) return std::nullopt;
    return Entry{ip, domain, result_from(st.text(0)), st.text(1), st.text(2), st.integer(3)};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void Cache::put(const std::string& ip, const Verdict& v, int64_t now) {
  if (v.result == Result::TempError || v.ttl == 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  try {
    db().prepare("DELETE FROM spf_cache WHERE expires<=?").bind(1, now).run();
    db().prepare("INSERT OR REPLACE INTO spf_cache VALUES (?, ?, ?, ?, ?, ?)")
        .bind(1, ip)
        .bind(2, v.domain)
        .bind(3, result_name(v.result))
        .bind(4, v.explanation)
        .bind(5, v.problem)
        .bind(6, now + int64_t(v.ttl))
        .run();
  } catch (const std::exception&) {
    // A cache that cannot be written is only a slower SPF check.
  }
}

std::vector<Cache::Entry> Cache::list(int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Entry> out;
  auto st = db().prepare("SELECT ip, domain, result, explanation, problem, expires FROM spf_cache WHERE expires>? ORDER BY domain, ip");
  st.bind(1, now);
  while (st.step()) out.push_back({st.text(0), st.text(1), result_from(st.text(2)), st.text(3), st.text(4), st.integer(5)});
  return out;
}

int Cache::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  db().exec("DELETE FROM spf_cache");
  return db().changes();
}

}  // namespace postern::spf

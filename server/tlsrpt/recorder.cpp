#include "tlsrpt/recorder.h"

#include <nlohmann/json.hpp>

#include "store/sqlite.h"

namespace postern::tlsrpt {

std::string utc_day(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

Recorder::Recorder(std::string path) : path_(std::move(path)) {}
Recorder::~Recorder() = default;

store::Db& Recorder::db() {
  if (!db_) {
    auto db = std::make_unique<store::Db>(path_);
    // Counts lost to a crash cost a slightly low report, not mail: no fsync per delivery.
    db->exec("PRAGMA synchronous=NORMAL");
    db->exec(
        "CREATE TABLE IF NOT EXISTS outcomes (day TEXT NOT NULL, domain TEXT NOT NULL, policy_type TEXT NOT NULL,"
        " policy_strings TEXT NOT NULL, mx_host TEXT NOT NULL, result_type TEXT NOT NULL, sending_ip TEXT NOT NULL,"
        " receiving_ip TEXT NOT NULL, failure_reason TEXT NOT NULL, count INTEGER NOT NULL,"
        " PRIMARY KEY (day, domain, policy_type, policy_strings, mx_host, result_type, sending_ip, receiving_ip, failure_reason))");
    db->exec(
        "CREATE TABLE IF NOT EXISTS reports_sent (day TEXT NOT NULL, domain TEXT NOT NULL, report_id TEXT NOT NULL,"
        " sent_at INTEGER NOT NULL, PRIMARY KEY (day, domain))");
    db_ = std::move(db);
  }
  return *db_;
}

void Recorder::record(const Outcome& o, std::time_t when) {
  std::lock_guard<std::mutex> lock(mu_);
  try {
    // Successes are only counted (RFC 8460 summary): the hosts and addresses of failed
    // sessions alone are reported in detail.
    bool ok = o.result_type == "success";
    db().prepare(
            "INSERT INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT DO UPDATE SET count = count + 1")
        .bind(1, utc_day(when))
        .bind(2, o.domain)
        .bind(3, o.policy_type)
        .bind(4, nlohmann::json(o.policy_strings).dump())
        .bind(5, ok ? "" : o.mx_host)
        .bind(6, o.result_type)
        .bind(7, ok ? "" : o.sending_ip)
        .bind(8, ok ? "" : o.receiving_ip)
        .bind(9, ok ? "" : o.failure_reason)
        .run();
  } catch (const std::exception&) {
    // See the header: reporting never fails a delivery.
  }
}

std::vector<std::string> Recorder::domains(const std::string& day) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> out;
  auto st = db().prepare("SELECT DISTINCT domain FROM outcomes WHERE day=? ORDER BY domain");
  st.bind(1, day);
  while (st.step()) out.push_back(st.text(0));
  return out;
}

std::vector<Row> Recorder::rows(const std::string& day, const std::string& domain) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Row> out;
  auto st = db().prepare(
      "SELECT policy_type, policy_strings, mx_host, result_type, sending_ip, receiving_ip, failure_reason, count"
      " FROM outcomes WHERE day=? AND domain=? ORDER BY policy_type, policy_strings, result_type, mx_host, receiving_ip");
  st.bind(1, day).bind(2, domain);
  while (st.step()) {
    Row r;
    r.outcome.domain = domain;
    r.outcome.policy_type = st.text(0);
    auto strings = nlohmann::json::parse(st.text(1), nullptr, false);
    if (strings.is_array())
      for (const auto& s : strings)
        if (s.is_string()) r.outcome.policy_strings.push_back(s.get<std::string>());
    r.outcome.mx_host = st.text(2);
    r.outcome.result_type = st.text(3);
    r.outcome.sending_ip = st.text(4);
    r.outcome.receiving_ip = st.text(5);
    r.outcome.failure_reason = st.text(6);
    r.count = st.integer(7);
    out.push_back(std::move(r));
  }
  return out;
}

bool Recorder::sent(const std::string& day, const std::string& domain) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db().prepare("SELECT 1 FROM reports_sent WHERE day=? AND domain=?");
  st.bind(1, day).bind(2, domain);
  return st.step();
}

void Recorder::mark_sent(const std::string& day, const std::string& domain, const std::string& report_id) {
  std::lock_guard<std::mutex> lock(mu_);
  db().prepare("INSERT OR REPLACE INTO reports_sent VALUES (?, ?, ?, ?)")
      .bind(1, day)
      .bind(2, domain)
      .bind(3, report_id)
      .bind(4, int64_t(std::time(nullptr)))
      .run();
}

void Recorder::prune(const std::string& today, int keep_days) {
  std::lock_guard<std::mutex> lock(mu_);
  auto offset = "-" + std::to_string(keep_days) + " days";
  for (const char* sql : {"DELETE FROM outcomes WHERE day < date(?, ?)", "DELETE FROM reports_sent WHERE day < date(?, ?)"})
    db().prepare(sql).bind(1, today).bind(2, offset).run();
}

}  // namespace postern::tlsrpt

// The TLS outcome of each outbound delivery attempt to a recipient domain's MX (RFC 8460
// §4.3), counted per UTC day, domain, policy and result in DIR/tlsrpt.db, until the daily
// report about that day is sent.
// Collaborators: store::Db (SQLite); called by delivery::RemoteAgent through the daemon,
// read by tlsrpt::Reporter.
// Error contract: record() never throws (a lost count must not fail a delivery; it is
// logged by the caller's log line only); the read side throws store::DbError.
// Threading: safe from any thread (one connection behind a mutex).
#pragma once
#include <cstdint>
#include <ctime>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace postern::store {
class Db;
}

namespace postern::tlsrpt {

// result_type: "success", or an RFC 8460 §4.3 failure type: "starttls-not-supported",
// "certificate-host-mismatch", "certificate-expired", "certificate-not-trusted",
// "validation-failure", "sts-policy-fetch-error", "sts-policy-invalid", "sts-webpki-invalid", ...
struct Outcome {
  std::string domain;                       // the recipient (policy) domain
  std::string policy_type = "no-policy-found";  // "sts", "tlsa" or "no-policy-found"
  std::vector<std::string> policy_strings;  // the policy's lines (sts)
  std::string mx_host;                      // the MX host name tried
  std::string result_type = "success";
  std::string sending_ip, receiving_ip;     // empty when unknown
  std::string failure_reason;               // optional additional detail (failure-reason-code)
};

struct Row {
  Outcome outcome;
  int64_t count = 0;
};

// "2026-11-25" for the UTC day of `t`.
std::string utc_day(std::time_t t);

class Recorder {
 public:
  explicit Recorder(std::string path);
  ~Recorder();

  void record(const Outcome& o, std::time_t when = std::time(nullptr));
  // Domains with outcomes on `day` ("YYYY-MM-DD"), sorted.
  std::vector<std::string> domains(const std::string& day);
  std::vector<Row> rows(const std::string& day, const std::string& domain);
  // The report about (day, domain) has been queued: remember it, so it goes once.
  bool sent(const std::string& day, const std::string& domain);
  void mark_sent(const std::string& day, const std::string& domain, const std::string& report_id);
  // Forgets outcomes older than `keep_days` days before `today`.
  void prune(const std::string& today, int keep_days);

 private:
  store::Db& db();
  std::string path_;
  std::mutex mu_;
  std::unique_ptr<store::Db> db_;
};

}  // namespace postern::tlsrpt

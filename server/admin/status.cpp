// Admin facade: queue sizes, the last day's deliveries per hour and SMTP refusals by reply
// code, from the queue, the delivery log ("TIMESTAMP ID <rcpt> status=sent|bounced|expired")
// and the SMTP log ("TIMESTAMP ID reply 550 5.1.1 ...").
#include <ctime>

#include "admin/admin.h"

namespace postern::admin {

namespace {
long long parse_timestamp(const std::string& line) {
  // "2026-11-26T14:03:00.123Z ..."
  struct tm tm {};
  if (line.size() < 20 || !strptime(line.c_str(), "%Y-%m-%dT%H:%M:%S", &tm)) return -1;
  return static_cast<long long>(timegm(&tm));
}
}  // namespace

Status Admin::status() {
  Status s;
  long long now = std::time(nullptr);
  for (const auto& e : queue_.list()) {
    ++s.queued_recipients;
    (e.route == queue::Route::Local ? s.queued_local : s.queued_remote)++;
    if (e.held) ++s.held;
    if (e.attempts > 0) ++s.deferred;
    if (!s.oldest_queued_at || e.received_at < s.oldest_queued_at) s.oldest_queued_at = e.received_at;
  }
  s.sent_per_hour.assign(24, 0);
  s.bounced_per_hour.assign(24, 0);
  long long current_hour = now / 3600;
  for (size_t offset = 0;; offset += 1000) {
    auto page = read_log("delivery", " status=", offset, 1000);
    bool older = false;
    for (const auto& line : page.lines) {
      long long t = parse_timestamp(line);
      if (t < 0) continue;
      long long age = current_hour - t / 3600;
      if (age >= 24) {
        older = true;
        break;
      }
      if (age < 0) continue;
      if (line.find(" status=sent") != std::string::npos) s.sent_per_hour[23 - age]++;
      else if (line.find(" status=bounced") != std::string::npos || line.find(" status=expired") != std::string::npos)
        s.bounced_per_hour[23 - age]++;
    }
    if (older || page.lines.size() < 1000) break;
  }
  // Session lines "TIMESTAMP ID reply 554 5.7.1 text" (every reply >= 400 is logged).
  for (size_t offset = 0;; offset += 1000) {
    auto page = read_log("smtp", " reply ", offset, 1000);
    bool older = false;
    for (const auto& line : page.lines) {
      long long t = parse_timestamp(line);
      if (t < 0) continue;
      if (now - t >= 86400) {
        older = true;
        break;
      }
      auto at = line.find(" reply ");
      auto text = line.substr(at + 7);
      auto code_end = text.find(' ', 4);  // after "550 5.1.1"
      auto& r = s.rejects[text.substr(0, code_end)];
      if (r.count++ == 0) r.example = text;
    }
    if (older || page.lines.size() < 1000) break;
  }
  return s;
}

}  // namespace postern::admin

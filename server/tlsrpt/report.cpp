#include "tlsrpt/report.h"

#include <map>

namespace postern::tlsrpt {

nlohmann::json build_report(const ReportHeader& h, const std::vector<Row>& rows) {
  using nlohmann::json;
  // One "policies" entry per distinct policy (type and text) applied that day.
  std::map<std::pair<std::string, std::vector<std::string>>, json> policies;
  for (const auto& r : rows) {
    const auto& o = r.outcome;
    auto key = std::make_pair(o.policy_type, o.policy_strings);
    auto& p = policies[key];
    if (p.is_null()) {
      json policy = {{"policy-type", o.policy_type}, {"policy-domain", h.domain}};
      if (!o.policy_strings.empty()) {
        policy["policy-string"] = o.policy_strings;
        json mx = json::array();
        for (const auto& line : o.policy_strings)  // MTA-STS "mx: pattern" lines (RFC 8461 §3.2)
          if (line.rfind("mx:", 0) == 0) {
            auto v = line.substr(3);
            v.erase(0, v.find_first_not_of(" \t"));
            mx.push_back(v);
          }
        if (!mx.empty()) policy["mx-host"] = mx;
      }
      p = {{"policy", policy},
           {"summary", {{"total-successful-session-count", 0}, {"total-failure-session-count", 0}}}};
    }
    if (o.result_type == "success") {
      p["summary"]["total-successful-session-count"] = p["summary"]["total-successful-session-count"].get<int64_t>() + r.count;
      continue;
    }
    p["summary"]["total-failure-session-count"] = p["summary"]["total-failure-session-count"].get<int64_t>() + r.count;
    json detail = {{"result-type", o.result_type}, {"failed-session-count", r.count}};
    if (!o.sending_ip.empty()) detail["sending-mta-ip"] = o.sending_ip;
    if (!o.mx_host.empty()) detail["receiving-mx-hostname"] = o.mx_host;
    if (!o.receiving_ip.empty()) detail["receiving-ip"] = o.receiving_ip;
    if (!o.failure_reason.empty()) detail["failure-reason-code"] = o.failure_reason;
    p["failure-details"].push_back(detail);
  }
  json report = {{"organization-name", h.organization},
                 {"date-range", {{"start-datetime", h.day + "T00:00:00Z"}, {"end-datetime", h.day + "T23:59:59Z"}}},
                 {"contact-info", h.contact},
                 {"report-id", h.report_id},
                 {"policies", json::array()}};
  for (auto& [key, p] : policies) report["policies"].push_back(std::move(p));
  return report;
}

}  // namespace postern::tlsrpt

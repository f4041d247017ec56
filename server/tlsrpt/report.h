// The RFC 8460 §4 aggregate report about one policy domain and one UTC day, as JSON:
// organization-name, date-range, contact-info, report-id, and one policy entry per policy
// seen that day with its summary counts and failure details.
// Collaborators: nlohmann::json; rows come from tlsrpt::Recorder.
// Error contract: pure; never throws on well-formed rows.
// Threading: pure functions.
#pragma once
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tlsrpt/recorder.h"

namespace postern::tlsrpt {

struct ReportHeader {
  std::string organization;  // organization-name
  std::string contact;       // contact-info (an address)
  std::string report_id;
  std::string day;           // "YYYY-MM-DD" (UTC)
  std::string domain;        // the policy domain
};

nlohmann::json build_report(const ReportHeader& h, const std::vector<Row>& rows);

}  // namespace postern::tlsrpt

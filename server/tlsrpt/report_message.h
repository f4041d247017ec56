// The message that carries one TLS report (RFC 8460 §5.3): multipart/report with
// report-type="tlsrpt", a short text part, and the JSON report gzipped as an
// application/tlsrpt+gzip attachment named "submitter!domain!start!end!id.json.gz"
// (§5.1); TLS-Report-Domain and TLS-Report-Submitter headers and the §5.3 subject.
// Collaborators: zlib (gzip), util::base64. The DKIM signature is added by the caller.
// Error contract: throws std::runtime_error if zlib fails.
// Threading: pure functions.
#pragma once
#include <ctime>
#include <string>

namespace postern::tlsrpt {

struct ReportMessageInput {
  std::string from;       // the sender (its domain is the submitter and signs)
  std::string to;         // the rua address
  std::string submitter;  // TLS-Report-Submitter
  std::string domain;     // TLS-Report-Domain: the policy domain
  std::string report_id;
  std::string day;        // "YYYY-MM-DD"
  std::string json;       // the report
  std::string message_id; // without brackets
};

std::string gzip(const std::string& data);
std::string build_report_message(const ReportMessageInput& in, std::time_t now);

}  // namespace postern::tlsrpt

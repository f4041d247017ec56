#include "smtp/server/trace_headers.h"

#include "mail/date.h"
#include "util/random.h"
#include "util/base64.h"

namespace postern::smtp {

std::string received_header(const TraceInfo& t) {
  std::string h = "Received: from " + t.helo + " ([" + t.client_ip + "])\r\n\tby " + t.hostname +
                  " (Postern) with " + t.protocol + " id " + t.queue_id + "\r\n";
  if (!t.tls.empty()) h += "\t(using " + t.tls + ")\r\n";
  if (!t.for_rcpt.empty()) h += "\tfor <" + t.for_rcpt + ">";
  h += (t.for_rcpt.empty() ? "\t; " : "; ") + mail::rfc5322_date(t.when) + "\r\n";
  return h;
}

std::string date_header(std::time_t when) { return "Date: " + mail::rfc5322_date(when) + "\r\n"; }

std::string message_id_header(const std::string& queue_id, const std::string& hostname) {
  std::string rnd = util::base64_encode(util::random_bytes(6));
  for (auto& c : rnd)
    if (c == '/' || c == '+') c = '.';
  return "Message-ID: <" + queue_id + "." + rnd + "@" + hostname + ">\r\n";
}

}  // namespace postern::smtp

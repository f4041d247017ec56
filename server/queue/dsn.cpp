#include "queue/dsn.h"

#include "mail/date.h"
#include "util/base64.h"
#include "util/random.h"

namespace postern::queue {

namespace {
std::string header_section(const std::string& msg) {
  auto end = msg.find("\r\n\r\n");
  return end == std::string::npos ? msg : msg.substr(0, end + 2);
}
}  // namespace

std::string build_dsn(const BounceInput& in, const std::string& message_id, std::time_t now) {
  std::string boundary = "=_postern_" + in.queue_id + "_" + util::base64_encode(util::random_bytes(6));
  for (auto& c : boundary)
    if (c == '/' || c == '+') c = '.';
  std::string m;
  m += "From: Mail Delivery System <MAILER-DAEMON@" + in.reporting_host + ">\r\n";
  m += "To: <" + in.original_sender + ">\r\n";
  m += in.delayed ? "Subject: Delayed Mail (still being retried)\r\n" : "Subject: Undelivered Mail Returned to Sender\r\n";
  m += "Date: " + mail::rfc5322_date(now) + "\r\n";
  m += "Message-ID: <" + message_id + ">\r\n";
  m += "Auto-Submitted: auto-replied\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/report; report-type=delivery-status;\r\n\tboundary=\"" + boundary + "\"\r\n\r\n";
  m += "This is a MIME-encapsulated message.\r\n\r\n";

  m += "--" + boundary + "\r\nContent-Description: Notification\r\nContent-Type: text/plain; charset=us-ascii\r\n\r\n";
  m += "This is the mail system at host " + in.reporting_host + ".\r\n\r\n";
  m += in.delayed ? "Your message could not be delivered yet to the recipients below.\r\n"
                    "It is still in the queue and will be retried; you need not send it again.\r\n\r\n"
                  : "Your message could not be delivered to one or more recipients.\r\n\r\n";
  for (const auto& f : in.failed) m += "<" + f.recipient + ">: " + f.diagnostic + "\r\n";
  m += "\r\n";

  m += "--" + boundary + "\r\nContent-Description: Delivery report\r\nContent-Type: message/delivery-status\r\n\r\n";
  m += "Reporting-MTA: dns; " + in.reporting_host + "\r\n";
  m += "X-Postern-Queue-ID: " + in.queue_id + "\r\n";
  m += "Arrival-Date: " + mail::rfc5322_date(in.arrival) + "\r\n";
  for (const auto& f : in.failed) {
    m += "\r\n";
    m += "Final-Recipient: rfc822; " + f.recipient + "\r\n";
    if (!f.original.empty() && f.original != f.recipient) m += "Original-Recipient: rfc822; " + f.original + "\r\n";
    m += in.delayed ? "Action: delayed\r\n" : "Action: failed\r\n";
    m += "Status: " + f.status + "\r\n";
    // "mx.example.net[192.0.2.1]:25" in logs; the DSN field wants the host name alone.
    if (!f.remote_mta.empty()) m += "Remote-MTA: dns; " + f.remote_mta.substr(0, f.remote_mta.find('[')) + "\r\n";
    m += "Diagnostic-Code: smtp; " + f.diagnostic + "\r\n";
  }
  m += "\r\n";

  m += "--" + boundary + "\r\nContent-Description: Undelivered Message Headers\r\nContent-Type: text/rfc822-headers\r\n\r\n";
  m += header_section(in.original_message);
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

}  // namespace postern::queue

#include "tlsrpt/report_message.h"

#include <zlib.h>

#include <stdexcept>

#include "mail/date.h"
#include "util/base64.h"
#include "util/random.h"

namespace postern::tlsrpt {

namespace {

std::time_t day_start(const std::string& day) {
  std::tm tm{};
  tm.tm_year = std::stoi(day.substr(0, 4)) - 1900;
  tm.tm_mon = std::stoi(day.substr(5, 2)) - 1;
  tm.tm_mday = std::stoi(day.substr(8, 2));
  return timegm(&tm);
}

// Base64 in lines of 76 characters (RFC 2045 §6.8).
std::string base64_lines(const std::string& data) {
  std::string b64 = util::base64_encode(data), out;
  for (size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
  return out;
}

}  // namespace

std::string gzip(const std::string& data) {
  z_stream z{};
  // windowBits 15 + 16: a gzip wrapper rather than zlib's (RFC 8460 §5.1 wants gzip).
  if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw std::runtime_error("zlib: cannot start compression");
  std::string out(deflateBound(&z, uLong(data.size())) + 32, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = uInt(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  int rc = deflate(&z, Z_FINISH);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw std::runtime_error("zlib: compression failed");
  out.resize(z.total_out);
  return out;
}

std::string build_report_message(const ReportMessageInput& in, std::time_t now) {
  std::time_t start = day_start(in.day);
  std::string filename = in.submitter + "!" + in.domain + "!" + std::to_string(start) + "!" +
                         std::to_string(start + 86399) + ".json.gz";
  std::string boundary = "=_postern_tlsrpt_" + util::base64_encode(util::random_bytes(9));
  for (auto& c : boundary)
    if (c == '/' || c == '+') c = '.';
  std::string m;
  m += "From: <" + in.from + ">\r\n";
  m += "To: <" + in.to + ">\r\n";
  m += "Subject: Report Domain: " + in.domain + " Submitter: " + in.submitter + " Report-ID: <" + in.report_id + ">\r\n";
  m += "Date: " + mail::rfc5322_date(now) + "\r\n";
  m += "Message-ID: <" + in.message_id + ">\r\n";
  m += "TLS-Report-Domain: " + in.domain + "\r\n";
  m += "TLS-Report-Submitter: " + in.submitter + "\r\n";
  m += "Auto-Submitted: auto-generated\r\n";
  m += "MIME-Version: 1.0\r\n";
  m += "Content-Type: multipart/report; report-type=\"tlsrpt\";\r\n\tboundary=\"" + boundary + "\"\r\n\r\n";
  m += "This is a MIME-encapsulated message.\r\n\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: text/plain; charset=utf-8\r\n\r\n";
  m += "This is an aggregate TLS report from " + in.submitter + " about mail sent to " + in.domain + " on " + in.day +
       " (UTC), as RFC 8460 describes.\r\n\r\n";
  m += "--" + boundary + "\r\n";
  m += "Content-Type: application/tlsrpt+gzip; name=\"" + filename + "\"\r\n";
  m += "Content-Transfer-Encoding: base64\r\n";
  m += "Content-Disposition: attachment; filename=\"" + filename + "\"\r\n\r\n";
  m += base64_lines(gzip(in.json));
  m += "\r\n--" + boundary + "--\r\n";
  return m;
}

}  // namespace postern::tlsrpt

// Headers the receiving MTA writes: the Received trace line (RFC 5321 §4.4), and for
// submission the Date and Message-ID a client left out (RFC 6409 §8).
#pragma once
#include <ctime>
#include <string>

namespace postern::smtp {

struct TraceInfo {
  std::string helo;
  std::string client_ip;
  std::string hostname;
  std::string protocol;  // ESMTPSA etc.
  std::string queue_id;
  std::string tls;       // "TLSv1.3 with cipher ..." or empty
  std::string for_rcpt;  // only when there is exactly one recipient (privacy)
  std::time_t when;
};

std::string received_header(const TraceInfo& t);
std::string date_header(std::time_t when);
std::string message_id_header(const std::string& queue_id, const std::string& hostname);

}  // namespace postern::smtp

// Delivery status notifications (RFC 3464): the bounce a sender receives when some of its
// recipients failed for good. Pure composition; the caller queues the result with the null
// sender, so a bounce can never bounce again.
#pragma once
#include <ctime>
#include <string>
#include <vector>

namespace postern::queue {

struct FailedRecipient {
  std::string recipient;   // final recipient
  std::string original;    // what the client asked for, when different
  std::string status;      // RFC 3463 code, e.g. "5.1.1" or "4.4.7" (expired)
  std::string diagnostic;  // the remote reply or our reason
  std::string remote_mta;  // host that answered, may be empty
};

struct BounceInput {
  bool delayed = false;  // a warning (Action: delayed), not a failure
  std::string reporting_host;
  std::string queue_id;
  std::string original_sender;
  std::time_t arrival = 0;
  std::vector<FailedRecipient> failed;
  std::string original_message;  // CRLF; only its header section is returned
};

// A complete RFC 5322 message (multipart/report) with CRLF line ends.
std::string build_dsn(const BounceInput& in, const std::string& message_id, std::time_t now);

}  // namespace postern::queue

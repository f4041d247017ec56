// Looks at the header section of an RFC 5322 message without a full MIME parse: what the
// SMTP receiver must know before accepting (hop count, headers it may have to add).
#pragma once
#include <string_view>

namespace postern::mail {

struct HeaderFacts {
  int received_count = 0;
  bool has_message_id = false;
  bool has_date = false;
  bool has_from = false;
};

// `message` uses CRLF line ends. Only the header section (up to the first empty line) is read.
HeaderFacts scan_headers(std::string_view message);

}  // namespace postern::mail

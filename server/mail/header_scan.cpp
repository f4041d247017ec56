#include "mail/header_scan.h"

#include "util/strings.h"

namespace postern::mail {

HeaderFacts scan_headers(std::string_view message) {
  HeaderFacts facts;
  size_t pos = 0;
  while (pos < message.size()) {
    size_t eol = message.find('\n', pos);
    if (eol == std::string_view::npos) eol = message.size();
    auto line = message.substr(pos, eol - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header section
    if (line.front() != ' ' && line.front() != '\t') {
      auto colon = line.find(':');
      if (colon != std::string_view::npos) {
        auto name = util::trim(line.substr(0, colon));
        if (util::iequals(name, "Received")) ++facts.received_count;
        else if (util::iequals(name, "Message-ID")) facts.has_message_id = true;
        else if (util::iequals(name, "Date")) facts.has_date = true;
        else if (util::iequals(name, "From")) facts.has_from = true;
      }
    }
    pos = eol + 1;
  }
  return facts;
}

}  // namespace postern::mail

#include "mtasts/tls_required.h"

#include <string>
#include <vector>

#include "util/strings.h"

namespace postern::mtasts {

bool tls_required_no(std::string_view message) {
  std::vector<std::string> values;  // of every TLS-Required field, unfolded
  bool in_field = false;
  size_t start = 0;
  while (start < message.size()) {
    auto nl = message.find('\n', start);
    auto line = message.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? message.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;  // end of the header section
    if (line.front() == ' ' || line.front() == '\t') {
      if (in_field) values.back() += std::string(line);
      continue;
    }
    auto colon = line.find(':');
    in_field = colon != std::string_view::npos && util::iequals(util::trim(line.substr(0, colon)), "TLS-Required");
    if (in_field) values.emplace_back(line.substr(colon + 1));
  }
  return values.size() == 1 && util::iequals(util::trim(values[0]), "No");
}

}  // namespace postern::mtasts

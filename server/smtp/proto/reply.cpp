#include "smtp/proto/reply.h"

namespace postern::smtp {

std::string Reply::render() const {
  std::string out;
  std::vector<std::string> text = lines.empty() ? std::vector<std::string>{""} : lines;
  for (size_t i = 0; i < text.size(); ++i) {
    out += std::to_string(code);
    out += (i + 1 < text.size()) ? '-' : ' ';
    if (!enhanced.empty()) out += enhanced + " ";
    out += text[i];
    out += "\r\n";
  }
  return out;
}

}  // namespace postern::smtp

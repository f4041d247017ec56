#include "imap/proto/response.h"

namespace postern::imap {

std::string literal(std::string_view bytes) {
  std::string out = "{" + std::to_string(bytes.size()) + "}\r\n";
  out.append(bytes);
  return out;
}

std::string quote(std::string_view s) {
  bool plain = s.size() < 1024;
  for (unsigned char c : s)
    if (c == '\r' || c == '\n' || c == 0 || c >= 0x80) plain = false;
  if (!plain) return literal(s);
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace postern::imap

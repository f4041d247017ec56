// Fuzzes the message-level parsers: the header scan the SMTP server runs on every message it
// accepts, and the RFC 5321 path / domain grammar.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "mail/address.h"
#include "mail/header_scan.h"

using namespace postern::mail;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  scan_headers(text);
  for (bool utf8 : {false, true}) {
    std::string_view rest;
    auto path = parse_path(text, true, utf8, rest);
    if (path && rest.size() > text.size()) __builtin_trap();
    valid_domain(text, utf8);
  }
  return 0;
}

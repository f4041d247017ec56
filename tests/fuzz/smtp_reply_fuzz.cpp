// Fuzzes what a remote server sends the outbound client: multi-line replies, one line at a
// time, and the enhanced status code read from their text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "smtp/proto/reply_parser.h"

using namespace postern::smtp;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  ReplyParser parser;
  while (!rest.empty()) {
    size_t lf = rest.find('\n');
    std::string_view line = rest.substr(0, lf);
    rest.remove_prefix(lf == std::string_view::npos ? rest.size() : lf + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    auto step = parser.feed(line);
    if (step == ReplyParser::Step::Done) {
      for (const auto& text : parser.reply().lines) leading_enhanced_code(text);
      parser.reset();
    } else if (step == ReplyParser::Step::Malformed) {
      parser.reset();
    }
  }
  return 0;
}

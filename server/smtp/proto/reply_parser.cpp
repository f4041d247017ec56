#include "smtp/proto/reply_parser.h"

#include <algorithm>
#include <cctype>

namespace postern::smtp {

std::string leading_enhanced_code(std::string_view text) {
  // class "." subject "." detail, class in {2,4,5}, subject/detail 1-3 digits.
  size_t i = 0;
  if (text.empty() || (text[0] != '2' && text[0] != '4' && text[0] != '5')) return "";
  i = 1;
  for (int part = 0; part < 2; ++part) {
    if (i >= text.size() || text[i] != '.') return "";
    size_t start = ++i;
    while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])) && i - start < 3) ++i;
    if (i == start) return "";
  }
  if (i < text.size() && text[i] != ' ') return "";
  return std::string(text.substr(0, i));
}

ReplyParser::Step ReplyParser::feed(std::string_view line) {
  if (line.size() < 3 || !std::isdigit(static_cast<unsigned char>(line[0])) ||
      !std::isdigit(static_cast<unsigned char>(line[1])) || !std::isdigit(static_cast<unsigned char>(line[2])))
    return Step::Malformed;
  int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (code < 200 || code > 599) return Step::Malformed;
  if (started_ && code != reply_.code) return Step::Malformed;
  bool more = line.size() > 3 && line[3] == '-';
  if (line.size() > 3 && line[3] != '-' && line[3] != ' ') return Step::Malformed;
  std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view();
  if (!started_) {
    reply_ = Reply();
    reply_.code = code;
    reply_.lines.clear();
    reply_.enhanced = leading_enhanced_code(text);
    started_ = true;
  }
  auto enh = leading_enhanced_code(text);
  if (!enh.empty() && enh == reply_.enhanced) text.remove_prefix(std::min(text.size(), enh.size() + 1));
  reply_.lines.emplace_back(text);
  if (more) return Step::More;
  started_ = false;
  return Step::Done;
}

}  // namespace postern::smtp

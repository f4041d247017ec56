// SMTP replies with RFC 3463 enhanced status codes, rendered as single or multi-line
// responses ("250-first" ... "250 last").
#pragma once
#include <string>
#include <vector>

namespace postern::smtp {

struct Reply {
  int code = 250;
  std::string enhanced;  // "2.0.0"; empty for replies that carry none (220, EHLO lines)
  std::vector<std::string> lines;

  Reply() = default;
  Reply(int c, std::string e, std::string text) : code(c), enhanced(std::move(e)), lines{std::move(text)} {}
  Reply(int c, std::string e, std::vector<std::string> text) : code(c), enhanced(std::move(e)), lines(std::move(text)) {}

  bool positive() const { return code < 400; }
  std::string render() const;
};

}  // namespace postern::smtp

#include "spf/macro.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace postern::spf {

namespace {

bool is_delimiter(char c) { return c == '.' || c == '-' || c == '+' || c == ',' || c == '/' || c == '_' || c == '='; }

bool valid_letter(char c, bool explanation) {
  switch (std::tolower(static_cast<unsigned char>(c))) {
    case 's': case 'l': case 'o': case 'd': case 'i': case 'p': case 'h': case 'v':
      return true;
    case 'c': case 'r': case 't':
      return explanation;
    default:
      return false;
  }
}

std::string value_of(char letter, const MacroContext& ctx) {
  switch (std::tolower(static_cast<unsigned char>(letter))) {
    case 's': return ctx.sender;
    case 'l': return ctx.local_part;
    case 'o': return ctx.sender_domain;
    case 'd': return ctx.domain;
    case 'i': return ctx.ip_dotted;
    case 'p': return ctx.validated_name;
    case 'h': return ctx.helo;
    case 'v': return ctx.ipv6 ? "ip6" : "in-addr";
    case 'c': return ctx.ip;
    case 'r': return ctx.receiver;
    case 't': return std::to_string(ctx.timestamp);
  }
  return {};
}

// RFC 3986 unreserved characters stay; everything else is %-escaped (uppercase letters).
std::string url_escape(const std::string& s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

// One macro-expand starting at s[i] == '%'; advances i past it. nullopt when malformed.
std::optional<std::string> one(std::string_view s, size_t& i, const MacroContext* ctx, bool explanation) {
  if (i + 1 >= s.size()) return std::nullopt;
  char c = s[i + 1];
  if (c == '%') { i += 2; return std::string("%"); }
  if (c == '_') { i += 2; return std::string(" "); }
  if (c == '-') { i += 2; return std::string("%20"); }
  if (c != '{') return std::nullopt;
  size_t j = i + 2;
  if (j >= s.size() || !valid_letter(s[j], explanation)) return std::nullopt;
  char letter = s[j++];
  size_t digits_start = j;
  while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
  std::string digits(s.substr(digits_start, j - digits_start));
  long keep = 0;
  if (!digits.empty()) {
    if (digits.size() > 3) return std::nullopt;
    keep = std::stol(digits);
    if (keep == 0) return std::nullopt;  // RFC 7208 §7.3: the DIGIT transformer is nonzero
  }
  bool reverse = false;
  if (j < s.size() && (s[j] == 'r' || s[j] == 'R')) { reverse = true; ++j; }
  std::string delims;
  while (j < s.size() && is_delimiter(s[j])) delims += s[j++];
  if (j >= s.size() || s[j] != '}') return std::nullopt;
  i = j + 1;
  if (!ctx) return std::string();
  if (delims.empty()) delims = ".";
  std::string value = value_of(letter, *ctx);
  std::vector<std::string> parts(1);
  for (char ch : value) {
    if (delims.find(ch) != std::string::npos) parts.emplace_back();
    else parts.back() += ch;
  }
  if (reverse) std::reverse(parts.begin(), parts.end());
  if (keep > 0 && size_t(keep) < parts.size()) parts.erase(parts.begin(), parts.end() - keep);
  std::string out;
  for (size_t k = 0; k < parts.size(); ++k) out += (k ? "." : "") + parts[k];
  if (std::isupper(static_cast<unsigned char>(letter))) out = url_escape(out);
  return out;
}

std::optional<std::string> walk(std::string_view s, const MacroContext* ctx, bool explanation) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c == '%') {
      auto piece = one(s, i, ctx, explanation);
      if (!piece) return std::nullopt;
      out += *piece;
      continue;
    }
    // macro-literal = %x21-24 / %x26-7E; an explain-string also allows SP.
    if (!((c >= 0x21 && c <= 0x7e) || (explanation && c == ' '))) return std::nullopt;
    out += char(c);
    ++i;
  }
  return out;
}

}  // namespace

bool valid_macro_string(std::string_view s, bool explanation) { return walk(s, nullptr, explanation).has_value(); }

std::optional<std::string> expand(std::string_view s, const MacroContext& ctx, bool explanation) {
  return walk(s, &ctx, explanation);
}

}  // namespace postern::spf

#include "mail/address.h"

#include <cctype>
#include <cstring>

#include "util/cidr.h"
#include "util/strings.h"

namespace postern::mail {

namespace {

bool is_atext(unsigned char c, bool utf8) {
  if (c >= 0x80) return utf8;
  if (std::isalnum(c)) return true;
  return c && std::strchr("!#$%&'*+-/=?^_`{|}~", c) != nullptr;
}

bool valid_dot_string(std::string_view s, bool utf8) {
  if (s.empty() || s.front() == '.' || s.back() == '.') return false;
  char prev = 0;
  for (unsigned char c : s) {
    if (c == '.') {
      if (prev == '.') return false;
    } else if (!is_atext(c, utf8)) {
      return false;
    }
    prev = char(c);
  }
  return true;
}

bool valid_quoted_string(std::string_view s, bool utf8) {
  if (s.size() < 2 || s.front() != '"' || s.back() != '"') return false;
  for (size_t i = 1; i + 1 < s.size(); ++i) {
    unsigned char c = s[i];
    if (c == '\\') {
      if (++i + 1 >= s.size()) return false;
      unsigned char q = s[i];
      if (q < 32 || q > 126) return false;
    } else if (c >= 0x80) {
      if (!utf8) return false;
    } else if (c < 32 || c == 127 || c == '"') {
      return false;
    }
  }
  return true;
}

bool valid_label(std::string_view label, bool utf8) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (unsigned char c : label) {
    if (c >= 0x80) {
      if (!utf8) return false;
    } else if (!std::isalnum(c) && c != '-') {
      return false;
    }
  }
  return true;
}

bool valid_address_literal(std::string_view d) {
  if (d.size() < 3 || d.front() != '[' || d.back() != ']') return false;
  auto inner = d.substr(1, d.size() - 2);
  if (util::istarts_with(inner, "IPv6:")) {
    auto a = util::IpAddress::parse(inner.substr(5));
    return a && a->v6;
  }
  auto a = util::IpAddress::parse(inner);
  return a && !a->v6;
}

}  // namespace

bool valid_domain(std::string_view domain, bool utf8) {
  if (domain.empty() || domain.size() > 255) return false;
  if (domain.front() == '[') return valid_address_literal(domain);
  size_t start = 0;
  while (true) {
    size_t dot = domain.find('.', start);
    auto label = domain.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!valid_label(label, utf8)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

std::optional<Address> Address::parse(std::string_view text, bool utf8) {
  auto at = text.rfind('@');
  if (at == std::string_view::npos || at == 0) return std::nullopt;
  auto local = text.substr(0, at);
  auto domain = text.substr(at + 1);
  if (local.size() > 64) return std::nullopt;
  bool local_ok = local.front() == '"' ? valid_quoted_string(local, utf8) : valid_dot_string(local, utf8);
  if (!local_ok || !valid_domain(domain, utf8)) return std::nullopt;
  return Address{std::string(local), util::to_lower(domain)};
}

std::string Address::key() const { return empty() ? std::string() : util::to_lower(local) + "@" + domain; }

std::string Address::base_key() const {
  auto plus = local.find('+');
  if (plus == std::string::npos || plus == 0 || local.front() == '"') return key();
  return util::to_lower(local.substr(0, plus)) + "@" + domain;
}

std::optional<Address> parse_path(std::string_view text, bool allow_null, bool utf8, std::string_view& rest) {
  if (text.empty() || text.front() != '<') return std::nullopt;
  // Find the closing '>' outside a quoted local part.
  bool quoted = false;
  size_t close = std::string_view::npos;
  for (size_t i = 1; i < text.size(); ++i) {
    char c = text[i];
    if (quoted && c == '\\') {
      ++i;
      continue;
    }
    if (c == '"') quoted = !quoted;
    if (!quoted && c == '>') {
      close = i;
      break;
    }
  }
  if (close == std::string_view::npos) return std::nullopt;
  auto inner = text.substr(1, close - 1);
  rest = text.substr(close + 1);
  if (inner.empty()) {
    if (!allow_null) return std::nullopt;
    return Address{};
  }
  if (inner.size() > 254) return std::nullopt;
  // RFC 5321 §4.1.2: a source route "@a,@b:" must be accepted and ignored.
  if (inner.front() == '@') {
    auto colon = inner.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    inner = inner.substr(colon + 1);
  }
  return Address::parse(inner, utf8);
}

}  // namespace postern::mail

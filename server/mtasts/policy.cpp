#include "mtasts/policy.h"

#include <cctype>

#include "mtasts/grammar.h"
#include "util/strings.h"

namespace postern::mtasts {

namespace {

using grammar::alnum;
using grammar::extension_name;
using grammar::trim_wsp;
using grammar::wsp;
// An LDH label: letters, digits, hyphens, not starting or ending with '-', 1..63 bytes.
bool ldh_label(std::string_view l) {
  if (l.empty() || l.size() > 63 || l.front() == '-' || l.back() == '-') return false;
  for (char c : l)
    if (!alnum(c) && c != '-') return false;
  return true;
}

// sts-policy-mx-value = ["*."] Domain: a '*' only as the whole leftmost label, ASCII only
// (A-labels; the RFC's Domain is the ASCII form).
bool mx_pattern(std::string_view v) {
  if (v.size() > 253) return false;
  if (v.substr(0, 2) == "*.") v.remove_prefix(2);
  size_t labels = 0;
  size_t start = 0;
  for (;;) {
    auto dot = v.find('.', start);
    auto label = v.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!ldh_label(label)) return false;
    ++labels;
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return labels >= 1;
}

// sts-policy-ext-value = sts-policy-vchar *(*WSP sts-policy-vchar): visible ASCII and
// non-ASCII UTF-8, inner WSP allowed.
bool policy_extension_value(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (c < 0x20 && c != '\t') return false;
  return true;
}

bool fail(std::string* why, const std::string& text) {
  if (why) *why = text;
  return false;
}

}  // namespace

const char* mode_name(Mode m) {
  switch (m) {
    case Mode::Enforce: return "enforce";
    case Mode::Testing: return "testing";
    case Mode::None: break;
  }
  return "none";
}

std::optional<Policy> parse_policy(std::string_view body, std::string* why) {
  Policy p;
  bool have_version = false, have_mode = false, have_age = false;
  size_t start = 0;
  while (start < body.size()) {
    auto nl = body.find('\n', start);
    auto line = body.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    start = nl == std::string_view::npos ? body.size() : nl + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() && start >= body.size()) break;  // the final line end
    auto colon = line.find(':');
    if (colon == std::string_view::npos) return fail(why, "line without ':': " + std::string(line.substr(0, 80))), std::nullopt;
    auto key = line.substr(0, colon);
    auto value = trim_wsp(line.substr(colon + 1));
    if (key == "version") {
      if (have_version) continue;
      if (value != "STSv1") return fail(why, "unsupported version " + std::string(value)), std::nullopt;
      have_version = true;
    } else if (key == "mode") {
      if (have_mode) continue;
      if (value == "enforce") p.mode = Mode::Enforce;
      else if (value == "testing") p.mode = Mode::Testing;
      else if (value == "none") p.mode = Mode::None;
      else return fail(why, "unknown mode " + std::string(value.substr(0, 40))), std::nullopt;
      have_mode = true;
    } else if (key == "max_age") {
      if (have_age) continue;
      // max_age = 1*10(DIGIT), at most 31557600.
      if (value.empty() || value.size() > 10) return fail(why, "bad max_age"), std::nullopt;
      for (char c : value)
        if (!std::isdigit(static_cast<unsigned char>(c))) return fail(why, "bad max_age"), std::nullopt;
      p.max_age = std::stoll(std::string(value));
      if (p.max_age > kMaxAge) return fail(why, "max_age above 31557600"), std::nullopt;
      have_age = true;
    } else if (key == "mx") {
      if (!mx_pattern(value)) return fail(why, "bad mx pattern " + std::string(value.substr(0, 80))), std::nullopt;
      p.mx.push_back(util::to_lower(value));
    } else if (!extension_name(key) || !policy_extension_value(value)) {
      return fail(why, "bad line " + std::string(line.substr(0, 80))), std::nullopt;
    }
  }
  if (!have_version) return fail(why, "no version line"), std::nullopt;
  if (!have_mode) return fail(why, "no mode line"), std::nullopt;
  if (!have_age) return fail(why, "no max_age line"), std::nullopt;
  if (p.mode != Mode::None && p.mx.empty()) return fail(why, std::string("mode ") + mode_name(p.mode) + " without mx lines"), std::nullopt;
  return p;
}

std::string format_policy(const Policy& p) {
  std::string out = "version: STSv1\nmode: " + std::string(mode_name(p.mode)) + "\n";
  for (const auto& m : p.mx) out += "mx: " + m + "\n";
  out += "max_age: " + std::to_string(p.max_age) + "\n";
  return out;
}

bool mx_matches(const std::vector<std::string>& patterns, std::string_view host) {
  std::string h = util::to_lower(host);
  if (!h.empty() && h.back() == '.') h.pop_back();
  for (const auto& pattern : patterns) {
    if (pattern.compare(0, 2, "*.") == 0) {
      // The wildcard covers exactly one (non-empty) leftmost label.
      auto suffix = pattern.substr(1);  // ".example.com"
      auto first_dot = h.find('.');
      if (first_dot != std::string::npos && first_dot > 0 && h.compare(first_dot, std::string::npos, suffix) == 0) return true;
    } else if (h == pattern) {
      return true;
    }
  }
  return false;
}

bool is_policy_media_type(std::string_view content_type) {
  auto semi = content_type.find(';');
  auto type = trim_wsp(content_type.substr(0, semi));
  return util::iequals(type, "text/plain");
}

}  // namespace postern::mtasts

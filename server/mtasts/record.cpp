#include "mtasts/record.h"

#include <cctype>

#include "mtasts/grammar.h"

namespace postern::mtasts {

namespace {

using grammar::alnum;
using grammar::extension_name;
using grammar::trim_wsp;
using grammar::wsp;

// sts-ext-value = 1*(%x21-3A / %x3C / %x3E-7E): visible characters except ";" and "=".
bool record_extension_value(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (c < 0x21 || c > 0x7e || c == ';' || c == '=') return false;
  return true;
}

}  // namespace

std::optional<std::string> parse_record(std::string_view txt) {
  // Split on ';' (sts-sep = *WSP ";" *WSP); one trailing separator (and WSP) is allowed,
  // an empty field anywhere else is not.
  std::vector<std::string_view> fields;
  size_t start = 0;
  for (;;) {
    auto semi = txt.find(';', start);
    fields.push_back(trim_wsp(txt.substr(start, semi == std::string_view::npos ? std::string_view::npos : semi - start)));
    if (semi == std::string_view::npos) break;
    start = semi + 1;
  }
  if (fields.size() > 1 && fields.back().empty()) fields.pop_back();
  if (fields.empty() || fields[0] != "v=STSv1") return std::nullopt;
  std::optional<std::string> id;
  for (size_t i = 1; i < fields.size(); ++i) {
    auto f = fields[i];
    auto eq = f.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    auto name = f.substr(0, eq), value = f.substr(eq + 1);
    if (name == "id") {
      if (id || value.empty() || value.size() > 32) return std::nullopt;
      for (char c : value)
        if (!alnum(c)) return std::nullopt;
      id = std::string(value);
    } else if (!extension_name(name) || !record_extension_value(value)) {
      return std::nullopt;
    }
  }
  return id;
}

Discovery discover(const std::vector<std::string>& txt_records) {
  std::vector<const std::string*> sts;
  for (const auto& r : txt_records) {
    // "v=STSv1" alone (no separator) still announces STS and is then invalid, not absent.
    if (r.compare(0, 7, "v=STSv1") == 0 && (r.size() == 7 || r[7] == ';' || wsp(r[7]))) sts.push_back(&r);
  }
  Discovery d;
  if (sts.empty()) return d;
  if (sts.size() > 1) {
    d.kind = Discovery::Multiple;
    return d;
  }
  auto id = parse_record(*sts[0]);
  d.kind = id ? Discovery::Found : Discovery::Invalid;
  if (id) d.id = *id;
  return d;
}

}  // namespace postern::mtasts

#include "spf/record.h"

#include <arpa/inet.h>

#include <cctype>

#include "spf/macro.h"
#include "util/strings.h"

namespace postern::spf {

namespace {

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

// ip4-cidr-length / ip6-cidr-length digits: "0" or no leading zero, at most `max`.
// CORRECTION(cidr-zero) starts here: 0 is accepted.
std::optional<int> cidr_value(std::string_view digits, int max) {
  if (!all_digits(digits) || digits.size() > 3 || (digits.size() > 1 && digits[0] == '0')) return std::nullopt;
  int v = std::stoi(std::string(digits));
  if (v > max) return std::nullopt;
  return v;
}

// RFC 7208 §12: toplabel = ( *alphanum ALPHA *alphanum ) / ( 1*alphanum "-" *( alphanum / "-" ) alphanum )
bool valid_toplabel(std::string_view l) {
  if (l.empty() || l.front() == '-' || l.back() == '-') return false;
  bool alpha = false, hyphen = false;
  for (char c : l) {
    if (std::isalpha(static_cast<unsigned char>(c))) alpha = true;
    else if (c == '-') hyphen = true;
    else if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return alpha || hyphen;
}

// CORRECTION(domain-end): libspf2 accepts any text as a domain-spec; RFC 7208 §12 requires
// a macro-string ending in a macro-expand or in "." toplabel [ "." ] (so "a:foo", "a:1.2.3.4"
// and "include:example.com.123" are permerror, not lookups of odd names).
bool valid_domain_spec(std::string_view spec) {
  if (spec.empty() || !valid_macro_string(spec, false)) return false;
  // Ends with a macro-expand: "%{...}", "%%", "%_" or "%-" (preceded by an even run of '%').
  if (spec.back() == '}') {
    auto open = spec.rfind("%{");
    if (open != std::string_view::npos && spec.find('}', open) == spec.size() - 1) return true;
  }
  if (spec.size() >= 2 && spec[spec.size() - 2] == '%') {
    size_t run = 0;
    for (size_t i = spec.size() - 1; i-- > 0 && spec[i] == '%';) ++run;
    if (run % 2 == 1) return true;
  }
  std::string_view s = spec;
  if (s.back() == '.') s.remove_suffix(1);
  auto dot = s.rfind('.');
  if (dot == std::string_view::npos) return false;
  return valid_toplabel(s.substr(dot + 1));
}

bool valid_ip4(std::string_view s) {
  // Strict dotted quad: inet_pton refuses leading zeros and short forms.
  in_addr a;
  return inet_pton(AF_INET, std::string(s).c_str(), &a) == 1;
}

bool valid_ip6(std::string_view s) {
  in6_addr a;
  return inet_pton(AF_INET6, std::string(s).c_str(), &a) == 1;
}

bool fail(std::string& error, std::string_view term, const char* why) {
  error = std::string(why) + " in '" + std::string(term) + "'";
  return false;
}

bool parse_term(std::string_view text, Term& t, std::string& error) {
  t.text = std::string(text);
  // A modifier: name "=" ..., name = ALPHA *( ALPHA / DIGIT / "-" / "_" / "." ).
  size_t n = 0;
  if (!text.empty() && std::isalpha(static_cast<unsigned char>(text[0]))) {
    n = 1;
    while (n < text.size() && (std::isalnum(static_cast<unsigned char>(text[n])) || text[n] == '-' || text[n] == '_' || text[n] == '.')) ++n;
    if (n < text.size() && text[n] == '=') {
      std::string name = util::to_lower(text.substr(0, n));
      std::string_view value = text.substr(n + 1);
      if (name == "redirect" || name == "exp") {
        t.kind = name == "redirect" ? Term::Kind::Redirect : Term::Kind::Exp;
        if (!valid_domain_spec(value)) return fail(error, text, "invalid domain-spec");
        t.domain_spec = std::string(value);
        return true;
      }
      t.kind = Term::Kind::Unknown;
      // CORRECTION(macro-syntax): an unknown modifier's value is a macro-string too.
      if (!valid_macro_string(value, false)) return fail(error, text, "invalid macro-string");
      return true;
    }
  }
  std::string_view rest = text;
  if (!rest.empty() && (rest[0] == '+' || rest[0] == '-' || rest[0] == '~' || rest[0] == '?')) {
    t.qualifier = rest[0];
    rest.remove_prefix(1);
  }
  size_t end = 0;
  while (end < rest.size() && std::isalnum(static_cast<unsigned char>(rest[end]))) ++end;
  std::string name = util::to_lower(rest.substr(0, end));
  rest.remove_prefix(end);
  if (name == "all") {
    if (!rest.empty()) return fail(error, text, "unexpected text after 'all'");
    t.kind = Term::Kind::All;
    return true;
  }
  if (name == "include" || name == "exists") {
    t.kind = name == "include" ? Term::Kind::Include : Term::Kind::Exists;
    if (rest.empty() || rest[0] != ':' || !valid_domain_spec(rest.substr(1))) return fail(error, text, "invalid domain-spec");
    t.domain_spec = std::string(rest.substr(1));
    return true;
  }
  if (name == "a" || name == "mx") {
    t.kind = name == "a" ? Term::Kind::A : Term::Kind::Mx;
    // dual-cidr-length = [ ip4-cidr-length ] [ "/" ip6-cidr-length ], taken from the end.
    auto dd = rest.rfind("//");
    if (dd != std::string_view::npos && all_digits(rest.substr(dd + 2))) {
      auto v = cidr_value(rest.substr(dd + 2), 128);
      if (!v) return fail(error, text, "invalid IPv6 CIDR length");
      t.cidr6 = *v;
      rest = rest.substr(0, dd);
    }
    auto slash = rest.rfind('/');
    if (slash != std::string_view::npos && all_digits(rest.substr(slash + 1))) {
      auto v = cidr_value(rest.substr(slash + 1), 32);
      if (!v) return fail(error, text, "invalid IPv4 CIDR length");
      t.cidr4 = *v;
      rest = rest.substr(0, slash);
    } else if (slash != std::string_view::npos && slash + 1 == rest.size()) {
      return fail(error, text, "empty CIDR length");
    }
    if (rest.empty()) return true;
    if (rest[0] != ':' || !valid_domain_spec(rest.substr(1))) return fail(error, text, "invalid domain-spec");
    t.domain_spec = std::string(rest.substr(1));
    return true;
  }
  if (name == "ptr") {
    t.kind = Term::Kind::Ptr;
    if (rest.empty()) return true;
    if (rest[0] != ':' || !valid_domain_spec(rest.substr(1))) return fail(error, text, "invalid domain-spec");
    t.domain_spec = std::string(rest.substr(1));
    return true;
  }
  if (name == "ip4" || name == "ip6") {
    bool v6 = name == "ip6";
    t.kind = v6 ? Term::Kind::Ip6 : Term::Kind::Ip4;
    if (rest.empty() || rest[0] != ':') return fail(error, text, "missing network");
    rest.remove_prefix(1);
    auto slash = rest.find('/');
    std::string_view net = rest.substr(0, slash);
    if (slash != std::string_view::npos) {
      auto v = cidr_value(rest.substr(slash + 1), v6 ? 128 : 32);
      if (!v) return fail(error, text, "invalid CIDR length");
      (v6 ? t.cidr6 : t.cidr4) = *v;
    }
    if (!(v6 ? valid_ip6(net) : valid_ip4(net))) return fail(error, text, v6 ? "invalid IPv6 address" : "invalid IPv4 address");
    t.network = std::string(net);
    return true;
  }
  return fail(error, text, "unknown mechanism");
}

}  // namespace

const Term* Record::redirect() const {
  for (const auto& t : terms)
    if (t.kind == Term::Kind::Redirect) return &t;
  return nullptr;
}
const Term* Record::exp() const {
  for (const auto& t : terms)
    if (t.kind == Term::Kind::Exp) return &t;
  return nullptr;
}
bool Record::has_all() const {
  for (const auto& t : terms)
    if (t.kind == Term::Kind::All) return true;
  return false;
}

bool is_spf_record(std::string_view txt) {
  if (txt.size() < 6 || util::to_lower(txt.substr(0, 6)) != "v=spf1") return false;
  return txt.size() == 6 || txt[6] == ' ';
}

std::optional<Record> parse(std::string_view txt, std::string& error) {
  if (!is_spf_record(txt)) {
    error = "not an SPF record";
    return std::nullopt;
  }
  Record r;
  bool seen_redirect = false, seen_exp = false;
  size_t i = 6;
  while (i < txt.size()) {
    if (txt[i] == ' ') {
      ++i;
      continue;
    }
    size_t end = txt.find(' ', i);
    if (end == std::string_view::npos) end = txt.size();
    Term t;
    if (!parse_term(txt.substr(i, end - i), t, error)) return std::nullopt;
    // CORRECTION(duplicate-modifier): RFC 7208 §6: redirect= and exp= at most once each.
    if (t.kind == Term::Kind::Redirect) {
      if (seen_redirect) return error = "redirect= appears twice", std::nullopt;
      seen_redirect = true;
    }
    if (t.kind == Term::Kind::Exp) {
      if (seen_exp) return error = "exp= appears twice", std::nullopt;
      seen_exp = true;
    }
    r.terms.push_back(std::move(t));
    i = end;
  }
  return r;
}

std::string for_libspf2(const Record& r, const std::string& zero_label) {
  std::string out = "v=spf1";
  bool all = r.has_all();
  for (const auto& t : r.terms) {
    if (t.kind == Term::Kind::Exp || t.kind == Term::Kind::Unknown) continue;
    if (t.kind == Term::Kind::Redirect && all) continue;
    std::string q(1, t.qualifier);
    if ((t.kind == Term::Kind::A || t.kind == Term::Kind::Mx) && (t.cidr4 == 0 || t.cidr6 == 0)) {
      std::string d = t.domain_spec.empty() ? "%{d}" : t.domain_spec;
      if (d.back() == '.') d.pop_back();
      out += " " + q + (t.kind == Term::Kind::A ? "a:" : "mx:") + d + "." + zero_label + (t.cidr4 == 0 ? "4" : "") +
             (t.cidr6 == 0 ? "6" : "");
      if (t.cidr4 > 0) out += "/" + std::to_string(t.cidr4);
      if (t.cidr6 > 0) out += "//" + std::to_string(t.cidr6);
      continue;
    }
    if (t.kind == Term::Kind::Ip4 && t.cidr4 == 0) {
      out += " " + q + "ip4:0.0.0.0/1 " + q + "ip4:128.0.0.0/1";
    } else if (t.kind == Term::Kind::Ip6 && t.cidr6 == 0) {
      out += " " + q + "ip6:::/1 " + q + "ip6:8000::/1";
    } else {
      out += " " + t.text;
    }
  }
  return out;
}

}  // namespace postern::spf

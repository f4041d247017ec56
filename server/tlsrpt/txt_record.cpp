#include "tlsrpt/txt_record.h"

#include <cctype>

namespace postern::tlsrpt {

namespace {

bool wsp(char c) { return c == ' ' || c == '\t'; }
bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// RFC 3986 URI, checked as far as a report address needs: a scheme, then only URI
// characters, with every '%' followed by two hex digits.
bool valid_uri(std::string_view u) {
  auto colon = u.find(':');
  if (colon == std::string_view::npos || colon == 0 || !std::isalpha(static_cast<unsigned char>(u[0]))) return false;
  for (size_t i = 1; i < colon; ++i)
    if (!alnum(u[i]) && u[i] != '+' && u[i] != '-' && u[i] != '.') return false;
  static const std::string_view allowed = "-._~:/?#[]@!$&'()*+,;=";
  for (size_t i = colon + 1; i < u.size(); ++i) {
    char c = u[i];
    if (c == '%') {
      if (i + 2 >= u.size() || !std::isxdigit(static_cast<unsigned char>(u[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(u[i + 2])))
        return false;
      i += 2;
    } else if (!alnum(c) && allowed.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool done() const { return pos_ >= s_.size(); }
  char peek() const { return done() ? '\0' : s_[pos_]; }
  void skip_wsp() {
    while (!done() && wsp(s_[pos_])) ++pos_;
  }
  bool take(std::string_view lit) {
    if (s_.substr(pos_, lit.size()) != lit) return false;
    pos_ += lit.size();
    return true;
  }
  // A URI: everything up to whitespace, ',' or ';' (none of which a rua URI may hold unescaped).
  std::string_view uri() {
    size_t start = pos_;
    while (!done() && !wsp(s_[pos_]) && s_[pos_] != ',' && s_[pos_] != ';') ++pos_;
    return s_.substr(start, pos_ - start);
  }
  size_t pos() const { return pos_; }
  void seek(size_t p) { pos_ = p; }

  // tlsrpt-extension = (ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".") "=" 1*(%x21-3A / %x3C / %x3E-7E)
  bool extension() {
    size_t start = pos_;
    if (done() || !alnum(s_[pos_])) return false;
    ++pos_;
    while (!done() && (alnum(s_[pos_]) || s_[pos_] == '_' || s_[pos_] == '-' || s_[pos_] == '.')) ++pos_;
    if (pos_ - start > 32 || !take("=")) return false;
    size_t value = pos_;
    while (!done()) {
      auto c = static_cast<unsigned char>(s_[pos_]);
      if (c < 0x21 || c > 0x7e || c == ';' || c == '=') break;
      ++pos_;
    }
    return pos_ > value;
  }

 private:
  std::string_view s_;
  size_t pos_ = 0;
};

}  // namespace

std::vector<std::string> TxtRecord::mailto_addresses() const {
  std::vector<std::string> out;
  for (const auto& field : rua)
    for (const auto& u : field)
      if (u.size() > 7 && (u.compare(0, 7, "mailto:") == 0 || u.compare(0, 7, "MAILTO:") == 0)) {
        // RFC 6068: an address, possibly with ?headers (ignored) and %-escapes (rare in rua).
        std::string addr = u.substr(7, u.find('?') == std::string::npos ? std::string::npos : u.find('?') - 7);
        out.push_back(addr);
      }
  return out;
}

std::vector<std::string> TxtRecord::https_uris() const {
  std::vector<std::string> out;
  for (const auto& field : rua)
    for (const auto& u : field)
      if (u.compare(0, 6, "https:") == 0) out.push_back(u);
  return out;
}

std::optional<TxtRecord> parse_txt_record(std::string_view txt) {
  Scanner s(txt);
  if (!s.take("v=TLSRPTv1")) return std::nullopt;
  TxtRecord rec;
  for (;;) {
    s.skip_wsp();
    if (s.done()) break;
    if (!s.take(";")) return std::nullopt;  // the version or a field runs into something else
    s.skip_wsp();
    if (s.done()) break;  // one trailing field-delim is allowed
    if (s.take("rua=")) {
      std::vector<std::string> uris;
      for (;;) {
        auto u = s.uri();
        if (!valid_uri(u)) return std::nullopt;
        uris.emplace_back(u);
        size_t mark = s.pos();
        s.skip_wsp();
        if (!s.take(",")) {
          s.seek(mark);
          break;
        }
        s.skip_wsp();
      }
      rec.rua.push_back(std::move(uris));
    } else if (!s.extension()) {
      return std::nullopt;
    }
  }
  if (rec.rua.empty()) return std::nullopt;
  return rec;
}

}  // namespace postern::tlsrpt

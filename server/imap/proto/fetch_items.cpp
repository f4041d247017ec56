#include "imap/proto/fetch_items.h"

#include "util/strings.h"

namespace postern::imap {

namespace {

std::optional<FetchItem> one_item(const std::string& raw, std::string& error) {
  std::string up = util::to_upper(raw);
  FetchItem it;
  using K = FetchItem::Kind;
  if (up == "FLAGS") it.kind = K::Flags;
  else if (up == "UID") it.kind = K::Uid;
  else if (up == "INTERNALDATE") it.kind = K::InternalDate;
  else if (up == "RFC822.SIZE") it.kind = K::Size;
  else if (up == "ENVELOPE") it.kind = K::Envelope;
  else if (up == "BODYSTRUCTURE") it.kind = K::BodyStructure;
  else if (up == "BODY") it.kind = K::Body;
  else if (up == "RFC822") it.kind = K::Rfc822;
  else if (up == "RFC822.HEADER") it.kind = K::Rfc822Header;
  else if (up == "RFC822.TEXT") it.kind = K::Rfc822Text;
  else if (util::istarts_with(up, "BODY[") || util::istarts_with(up, "BODY.PEEK[")) {
    it.kind = K::Section;
    it.peek = up.compare(0, 10, "BODY.PEEK[") == 0;
    size_t open = up.find('['), close = up.find(']');
    if (close == std::string::npos) {
      error = "missing ']'";
      return std::nullopt;
    }
    auto sec = parse_section(std::string_view(raw).substr(open + 1, close - open - 1), error);
    if (!sec) return std::nullopt;
    it.section = *sec;
    std::string tail = up.substr(close + 1);
    if (!tail.empty()) {
      long long a, b;
      size_t dot = tail.find('.');
      if (tail.front() != '<' || tail.back() != '>' || dot == std::string::npos ||
          !util::parse_int(tail.substr(1, dot - 1), a) || !util::parse_int(tail.substr(dot + 1, tail.size() - dot - 2), b) ||
          a < 0 || b <= 0) {
        error = "bad partial range " + tail;
        return std::nullopt;
      }
      it.partial = true;
      it.offset = uint64_t(a);
      it.length = uint64_t(b);
    }
  } else {
    error = "unknown fetch item " + raw;
    return std::nullopt;
  }
  return it;
}

}  // namespace

std::optional<Section> parse_section(std::string_view spec, std::string& error) {
  Section s;
  std::string text(spec);
  std::string up = util::to_upper(text);
  size_t i = 0;
  // Part numbers: digits separated by dots.
  while (i < up.size() && up[i] >= '0' && up[i] <= '9') {
    size_t j = i;
    while (j < up.size() && up[j] >= '0' && up[j] <= '9') ++j;
    long long n;
    if (!util::parse_int(up.substr(i, j - i), n) || n <= 0 || n > 100000) {
      error = "bad part number";
      return std::nullopt;
    }
    s.part.push_back(uint32_t(n));
    i = j;
    if (i < up.size()) {
      if (up[i] != '.') {
        error = "bad section";
        return std::nullopt;
      }
      ++i;
      if (i == up.size()) {
        error = "bad section";
        return std::nullopt;
      }
    }
  }
  std::string rest = up.substr(i);
  using T = Section::Text;
  if (rest.empty()) s.text = T::Full;
  else if (rest == "HEADER") s.text = T::Header;
  else if (rest == "TEXT") s.text = T::Text;
  else if (rest == "MIME" && !s.part.empty()) s.text = T::Mime;
  else if (util::istarts_with(rest, "HEADER.FIELDS")) {
    bool nots = util::istarts_with(rest, "HEADER.FIELDS.NOT");
    s.text = nots ? T::HeaderFieldsNot : T::HeaderFields;
    auto list = parse_values(util::trim(std::string_view(rest).substr(nots ? 17 : 13)), error);
    if (!list || list->size() != 1 || !(*list)[0].is_list() || (*list)[0].items.empty()) {
      error = "HEADER.FIELDS needs a list of field names";
      return std::nullopt;
    }
    for (const auto& f : (*list)[0].items) {
      if (!f.is_astring() || f.text.empty()) {
        error = "bad header field name";
        return std::nullopt;
      }
      s.fields.push_back(util::to_upper(f.text));
    }
  } else {
    error = "bad section " + text;
    return std::nullopt;
  }
  // Canonical spelling for the reply: parts, then the text keyword with quoted-free fields.
  for (size_t k = 0; k < s.part.size(); ++k) s.spec += (k ? "." : "") + std::to_string(s.part[k]);
  static const char* names[] = {"", "HEADER", "HEADER.FIELDS", "HEADER.FIELDS.NOT", "TEXT", "MIME"};
  if (s.text != T::Full) s.spec += std::string(s.part.empty() ? "" : ".") + names[int(s.text)];
  if (!s.fields.empty()) s.spec += " (" + util::join(s.fields, " ") + ")";
  return s;
}

std::optional<std::vector<FetchItem>> parse_fetch_items(const Value& v, std::string& error) {
  std::vector<FetchItem> out;
  using K = FetchItem::Kind;
  auto add = [&](const std::string& raw) {
    auto it = one_item(raw, error);
    if (!it) return false;
    out.push_back(*it);
    return true;
  };
  if (v.is_atom()) {
    std::string up = util::to_upper(v.text);
    if (up == "ALL" || up == "FAST" || up == "FULL") {
      out.push_back({K::Flags});
      out.push_back({K::InternalDate});
      out.push_back({K::Size});
      if (up != "FAST") out.push_back({K::Envelope});
      if (up == "FULL") out.push_back({K::Body});
      return out;
    }
    if (!add(v.text)) return std::nullopt;
    return out;
  }
  if (!v.is_list() || v.items.empty()) {
    error = "expected fetch items";
    return std::nullopt;
  }
  for (const auto& item : v.items) {
    if (!item.is_atom() || !add(item.text)) {
      if (error.empty()) error = "bad fetch item";
      return std::nullopt;
    }
  }
  return out;
}

bool fetch_sets_seen(const std::vector<FetchItem>& items) {
  for (const auto& it : items)
    if ((it.kind == FetchItem::Kind::Section && !it.peek) || it.kind == FetchItem::Kind::Rfc822 ||
        it.kind == FetchItem::Kind::Rfc822Text)
      return true;
  return false;
}

}  // namespace postern::imap

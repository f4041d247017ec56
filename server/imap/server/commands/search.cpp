// SEARCH and UID SEARCH (RFC 3501 §6.4.4) with CHARSET UTF-8 / US-ASCII. Header and text
// keys compare decoded text (GMime decodes encoded words and transfer encodings),
// case-insensitively for ASCII letters.
#include <algorithm>

#include "imap/server/server.h"
#include "imap/server/session.h"
#include "mailbox/message_view.h"
#include "imap/proto/search_keys.h"
#include "util/strings.h"

namespace postern::imap {

namespace {

bool contains_ci(const std::string& haystack, const std::string& needle) {
  if (needle.empty()) return true;
  auto it = std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end(), [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  });
  return it != haystack.end();
}

bool has_flag(const std::string& flags, const std::string& flag) {
  for (const auto& f : mailbox::split_flags(flags))
    if (util::iequals(f, flag)) return true;
  return false;
}

struct Candidate {
  uint32_t seq, uid, largest_seq, largest_uid;
  bool recent;
  const mailbox::MessageInfo* row;
  std::string path;
  std::optional<mailbox::MessageView> view;
  mailbox::MessageView& message() {
    if (!view) view.emplace(mailbox::MessageView::load(path));
    return *view;
  }
};

std::time_t day_of(std::time_t t) { return t - ((t % 86400) + 86400) % 86400; }

bool matches(const SearchKey& k, Candidate& m) {
  using O = SearchKey::Op;
  switch (k.op) {
    case O::All: return true;
    case O::And:
      for (const auto& c : k.children)
        if (!matches(c, m)) return false;
      return true;
    case O::Or: return matches(k.children[0], m) || matches(k.children[1], m);
    case O::Not: return !matches(k.children[0], m);
    case O::Sequence: return k.set->contains(m.seq, m.largest_seq);
    case O::Uid: return k.set->contains(m.uid, m.largest_uid);
    case O::Flag: return has_flag(m.row->flags, k.text);
    case O::NoFlag: return !has_flag(m.row->flags, k.text);
    case O::New: return m.recent && !has_flag(m.row->flags, "\\Seen");
    case O::Recent: return m.recent;
    case O::Old: return !m.recent;
    case O::Header: {
      const std::string& field = k.text;
      if (k.value.empty()) {
        // HEADER name "" matches messages that have the field at all.
        mailbox::MessageView& v = m.message();
        imap::Section s;
        s.text = imap::Section::Text::HeaderFields;
        s.fields = {util::to_upper(field)};
        return v.section(s) != "\r\n";
      }
      return contains_ci(m.message().header_text(field), k.value);
    }
    case O::Body: return contains_ci(m.message().body_text(), k.value);
    case O::Text: {
      imap::Section s;
      s.text = imap::Section::Text::Header;
      return contains_ci(m.message().section(s), k.value) || contains_ci(m.message().body_text(), k.value);
    }
    case O::Before: return day_of(m.row->internal_date) < k.date;
    case O::On: return day_of(m.row->internal_date) == k.date;
    case O::Since: return day_of(m.row->internal_date) >= k.date;
    case O::SentBefore:
    case O::SentOn:
    case O::SentSince: {
      auto d = m.message().sent_date();
      if (!d) return false;
      std::time_t day = day_of(*d);
      return k.op == O::SentBefore ? day < k.date : k.op == O::SentOn ? day == k.date : day >= k.date;
    }
    case O::Larger: return m.row->size > k.number;
    case O::Smaller: return m.row->size < k.number;
  }
  return false;
}

// Whether the key needs no more than flags, sequence numbers and UIDs, which the session's
// view holds (up to date: changes are reported before SEARCH runs).
bool view_is_enough(const SearchKey& k) {
  using O = SearchKey::Op;
  switch (k.op) {
    case O::All: case O::Sequence: case O::Uid: case O::Flag: case O::NoFlag: case O::New: case O::Old: case O::Recent:
      return true;
    case O::And: case O::Or: case O::Not:
      for (const auto& c : k.children)
        if (!view_is_enough(c)) return false;
      return true;
    default:
      return false;
  }
}

}  // namespace

void Session::cmd_search(Command& c, bool uid) {
  size_t from = 0;
  if (!c.args.empty() && c.args[0].is_atom() && util::iequals(c.args[0].text, "CHARSET")) {
    if (c.args.size() < 3) return bad(c.tag, "CHARSET needs a name and search keys");
    std::string cs = util::to_upper(c.args[1].text);
    if (cs != "UTF-8" && cs != "US-ASCII") return no(c.tag, "[BADCHARSET (UTF-8 US-ASCII)] Unsupported charset");
    from = 2;
  }
  std::string error;
  auto key = parse_search(c.args, from, error);
  if (!key) return bad(c.tag, "Invalid search: " + error);
  std::vector<uint32_t> hits;
  uint32_t largest = view_.empty() ? 0 : view_.back().uid;
  if (view_is_enough(*key)) {
    for (size_t i = 0; i < view_.size(); ++i) {
      if (view_[i].expunged) continue;
      mailbox::MessageInfo info;
      info.uid = view_[i].uid;
      info.flags = view_[i].flags;
      Candidate m{uint32_t(i + 1), info.uid, uint32_t(view_.size()), largest, view_[i].recent, &info, "", std::nullopt};
      if (matches(*key, m)) hits.push_back(uid ? info.uid : uint32_t(i + 1));
    }
    std::string out = "SEARCH";
    for (uint32_t h : hits) out += " " + std::to_string(h);
    untagged(out);
    return ok(c.tag, std::string(uid ? "UID SEARCH" : "SEARCH") + " completed");
  }
  auto rows = store_->messages(mailbox_);
  uint32_t largest_uid = view_.empty() ? 0 : view_.back().uid;
  size_t r = 0;
  for (size_t i = 0; i < view_.size(); ++i) {
    while (r < rows.size() && rows[r].uid < view_[i].uid) ++r;
    if (r >= rows.size() || rows[r].uid != view_[i].uid) continue;
    Candidate m{uint32_t(i + 1), view_[i].uid, uint32_t(view_.size()), largest_uid, view_[i].recent, &rows[r],
                store_->message_path(mailbox_, rows[r]), std::nullopt};
    try {
      if (matches(*key, m)) hits.push_back(uid ? view_[i].uid : uint32_t(i + 1));
    } catch (const std::system_error&) {
      // The file went away under us: it cannot match.
    }
  }
  std::string out = "SEARCH";
  for (uint32_t h : hits) out += " " + std::to_string(h);
  untagged(out);
  ok(c.tag, std::string(uid ? "UID SEARCH" : "SEARCH") + " completed");
}

}  // namespace postern::imap

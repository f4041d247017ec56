#include "imap/proto/search_keys.h"

#include "imap/proto/date_time.h"
#include "util/strings.h"

namespace postern::imap {

namespace {

class SearchParser {
 public:
  SearchParser(const std::vector<Value>& v, size_t i, std::string& error) : v_(v), i_(i), error_(error) {}

  bool at_end() const { return i_ >= v_.size(); }

  std::optional<SearchKey> key() {
    if (at_end()) return fail("missing search key");
    const Value& v = v_[i_++];
    using O = SearchKey::Op;
    SearchKey k;
    if (v.is_list()) {
      k.op = O::And;
      SearchParser inner(v.items, 0, error_);
      if (inner.at_end()) return fail("empty search list");
      while (!inner.at_end()) {
        auto c = inner.key();
        if (!c) return std::nullopt;
        k.children.push_back(std::move(*c));
      }
      return k;
    }
    std::string up = util::to_upper(v.text);
    if (!v.is_atom()) return fail("search key expected, got a string");
    static const std::pair<const char*, const char*> flags[] = {{"ANSWERED", "\\Answered"}, {"DELETED", "\\Deleted"},
                                                               {"DRAFT", "\\Draft"},       {"FLAGGED", "\\Flagged"},
                                                               {"SEEN", "\\Seen"}};
    for (auto [name, flag] : flags) {
      if (up == name || up == std::string("UN") + name) {
        k.op = up == name ? O::Flag : O::NoFlag;
        k.text = flag;
        return k;
      }
    }
    if (up == "ALL") return k;
    if (up == "NEW") return with(k, O::New);
    if (up == "OLD") return with(k, O::Old);
    if (up == "RECENT") return with(k, O::Recent);
    if (up == "KEYWORD" || up == "UNKEYWORD") {
      auto s = astring();
      if (!s) return std::nullopt;
      k.op = up == "KEYWORD" ? O::Flag : O::NoFlag;
      k.text = *s;
      return k;
    }
    if (up == "NOT") {
      auto c = key();
      if (!c) return std::nullopt;
      k.op = O::Not;
      k.children.push_back(std::move(*c));
      return k;
    }
    if (up == "OR") {
      auto a = key();
      if (!a) return std::nullopt;
      auto b = key();
      if (!b) return std::nullopt;
      k.op = O::Or;
      k.children.push_back(std::move(*a));
      k.children.push_back(std::move(*b));
      return k;
    }
    if (up == "FROM" || up == "TO" || up == "CC" || up == "BCC" || up == "SUBJECT") {
      auto s = astring();
      if (!s) return std::nullopt;
      k.op = O::Header;
      k.text = up;
      k.value = *s;
      return k;
    }
    if (up == "HEADER") {
      auto f = astring();
      if (!f) return std::nullopt;
      auto s = astring();
      if (!s) return std::nullopt;
      k.op = O::Header;
      k.text = util::to_upper(*f);
      k.value = *s;
      return k;
    }
    if (up == "BODY" || up == "TEXT") {
      auto s = astring();
      if (!s) return std::nullopt;
      k.op = up == "BODY" ? O::Body : O::Text;
      k.value = *s;
      return k;
    }
    static const std::pair<const char*, O> dates[] = {{"BEFORE", O::Before},         {"ON", O::On},
                                                     {"SINCE", O::Since},           {"SENTBEFORE", O::SentBefore},
                                                     {"SENTON", O::SentOn},         {"SENTSINCE", O::SentSince}};
    for (auto [name, op] : dates) {
      if (up == name) {
        auto s = astring();
        if (!s) return std::nullopt;
        auto d = parse_date(*s);
        if (!d) return fail("bad date " + *s);
        k.op = op;
        k.date = *d;
        return k;
      }
    }
    if (up == "LARGER" || up == "SMALLER") {
      auto s = astring();
      long long n;
      if (!s || !util::parse_int(*s, n) || n < 0) return fail("bad size");
      k.op = up == "LARGER" ? O::Larger : O::Smaller;
      k.number = uint64_t(n);
      return k;
    }
    if (up == "UID") {
      auto s = astring();
      if (!s) return std::nullopt;
      k.set = SequenceSet::parse(*s);
      if (!k.set) return fail("bad UID set");
      k.op = O::Uid;
      return k;
    }
    k.set = SequenceSet::parse(v.text);
    if (!k.set) return fail("unknown search key " + v.text);
    k.op = O::Sequence;
    return k;
  }

 private:
  static SearchKey with(SearchKey k, SearchKey::Op op) {
    k.op = op;
    return k;
  }
  std::optional<SearchKey> fail(const std::string& e) {
    error_ = e;
    return std::nullopt;
  }
  std::optional<std::string> astring() {
    if (at_end() || !v_[i_].is_astring()) {
      error_ = "search key needs an argument";
      return std::nullopt;
    }
    return v_[i_++].text;
  }

  const std::vector<Value>& v_;
  size_t i_;
  std::string& error_;
};

}  // namespace

std::optional<SearchKey> parse_search(const std::vector<Value>& args, size_t from, std::string& error) {
  SearchParser p(args, from, error);
  SearchKey all;
  all.op = SearchKey::Op::And;
  if (p.at_end()) {
    error = "missing search criteria";
    return std::nullopt;
  }
  while (!p.at_end()) {
    auto k = p.key();
    if (!k) return std::nullopt;
    all.children.push_back(std::move(*k));
  }
  return all;
}

}  // namespace postern::imap

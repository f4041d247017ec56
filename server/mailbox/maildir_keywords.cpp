#include "mailbox/maildir_keywords.h"

#include <algorithm>

#include "mailbox/user_store.h"
#include "util/strings.h"

namespace postern::mailbox {

KeywordTable KeywordTable::parse(const std::string& text) {
  KeywordTable t;
  for (const auto& line : util::split_list(text, '\n')) {
    auto sp = line.find(' ');
    long long n = -1;
    if (sp == std::string::npos || !util::parse_int(line.substr(0, sp), n) || n < 0 || n >= long(kLetters)) continue;
    std::string name(util::trim(line.substr(sp + 1)));
    if (name.empty() || name[0] == '\\') continue;
    if (t.names_.size() <= size_t(n)) t.names_.resize(size_t(n) + 1);
    t.names_[size_t(n)] = name;
  }
  return t;
}

std::string KeywordTable::format() const {
  std::string out;
  for (size_t i = 0; i < names_.size(); ++i)
    if (!names_[i].empty()) out += std::to_string(i) + " " + names_[i] + "\n";
  return out;
}

char KeywordTable::letter(const std::string& keyword) const {
  for (size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == keyword) return char('a' + i);
  return 0;
}

char KeywordTable::add(const std::string& keyword) {
  if (char l = letter(keyword)) return l;
  auto hole = std::find(names_.begin(), names_.end(), std::string());
  if (hole != names_.end()) {
    *hole = keyword;
    return char('a' + (hole - names_.begin()));
  }
  if (names_.size() >= kLetters) return 0;
  names_.push_back(keyword);
  return char('a' + names_.size() - 1);
}

std::string KeywordTable::keyword(char letter) const {
  if (letter < 'a' || letter > 'z' || size_t(letter - 'a') >= names_.size()) return "";
  return names_[size_t(letter - 'a')];
}

std::string info_letters(const std::string& flags, KeywordTable& table, bool& table_changed) {
  std::string letters;
  for (const auto& f : split_flags(flags)) {
    if (f[0] == '\\') {
      for (auto [name, l] : kSystemFlags)
        if (f == name) letters += l;
      continue;
    }
    char l = table.letter(f);
    if (!l && (l = table.add(f))) table_changed = true;
    if (l) letters += l;
  }
  std::sort(letters.begin(), letters.end());
  return letters;
}

std::string flags_from_info(const std::string& index_flags, const std::string& letters, const KeywordTable& table) {
  std::vector<std::string> out;
  for (const auto& f : split_flags(index_flags))
    if (f[0] != '\\' && !table.letter(f)) out.push_back(f);
  for (auto [name, l] : kSystemFlags)
    if (letters.find(l) != std::string::npos) out.push_back(name);
  for (char l : letters) {
    std::string k = table.keyword(l);
    if (!k.empty()) out.push_back(k);
  }
  auto canon = canonical_flags(out);
  return canon ? *canon : index_flags;
}

}  // namespace postern::mailbox

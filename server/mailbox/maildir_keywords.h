// Keywords in Maildir file names, the way Dovecot keeps them: each folder has a
// "dovecot-keywords" file numbering its keywords ("0 $Forwarded\n1 Work\n"), and a message's
// file name info (":2,FSab") carries, after the system flag letters, the lowercase letter
// 'a' + number of each keyword it has. Only 26 letters exist: further keywords stay in
// Postern's index only (Dovecot does the same with its own index).
// Pure (the UserStore reads and writes the file).
#pragma once
#include <string>
#include <utility>
#include <vector>

namespace postern::mailbox {

// The IMAP system flags a Maildir file name carries as info letters, in Maildir's order.
inline constexpr std::pair<const char*, char> kSystemFlags[] = {
    {"\\Draft", 'D'}, {"\\Flagged", 'F'}, {"\\Answered", 'R'}, {"\\Seen", 'S'}, {"\\Deleted", 'T'}};

class KeywordTable {
 public:
  static constexpr size_t kLetters = 26;
  // Dovecot's file format; lines that are not "<0..25> <keyword>" are ignored.
  static KeywordTable parse(const std::string& text);
  std::string format() const;
  // 'a'..'z' for a keyword in the table, 0 when it has no letter.
  char letter(const std::string& keyword) const;
  // The keyword's letter, numbering it first when new and a letter is free; 0 when full.
  char add(const std::string& keyword);
  // The keyword a letter stands for; empty when none.
  std::string keyword(char letter) const;

 private:
  std::vector<std::string> names_;  // index = letter - 'a'; empty where unnumbered
};

// The info letters of a flag list ("\\Flagged \\Seen Work" -> "FSb"), sorted as Dovecot
// writes them. Keywords are numbered into `table` as needed; `table_changed` is set then.
std::string info_letters(const std::string& flags, KeywordTable& table, bool& table_changed);
// The flag list a file name's info letters say, given what the index held: system flags and
// lettered keywords come from the letters; keywords that have no letter keep the index's word.
std::string flags_from_info(const std::string& index_flags, const std::string& letters, const KeywordTable& table);

}  // namespace postern::mailbox

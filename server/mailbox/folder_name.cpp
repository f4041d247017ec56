#include "mailbox/folder_name.h"

#include "imap/proto/mutf7.h"
#include "util/strings.h"

namespace postern::mailbox {

std::string canonical_name(const std::string& name) {
  if (util::iequals(name, "INBOX")) return "INBOX";
  if (util::istarts_with(name, "INBOX.")) return "INBOX" + name.substr(5);
  return name;
}

std::optional<std::string> check_folder_name(const std::string& name) {
  if (name.empty()) return "empty mailbox name";
  if (name.size() > 200) return "mailbox name too long";
  for (unsigned char c : name) {
    if (c < 0x20 || c == 0x7f) return "control character in mailbox name";
    if (c == '/' || c == '\\') return "'/' and '\\' are not allowed in mailbox names";
    if (c == '*' || c == '%') return "wildcards are not allowed in mailbox names";
    if (c >= 0x80) return "mailbox names must be in modified UTF-7";
  }
  if (name.front() == kDelimiter || name.back() == kDelimiter || name.find("..") != std::string::npos)
    return "empty hierarchy level in mailbox name";
  if (name.front() == '~') return "mailbox names may not start with '~'";
  auto utf8 = imap::mutf7_decode(name);
  if (!utf8) return "malformed modified UTF-7 in mailbox name";
  for (size_t i = 0; i < utf8->size(); ++i) {
    unsigned char c = (*utf8)[i];
    if (c < 0x20 || c == 0x7f) return "control character in mailbox name";
    // C1 controls U+0080..U+009F are encoded as C2 80..C2 9F.
    if (c == 0xC2 && i + 1 < utf8->size() && static_cast<unsigned char>((*utf8)[i + 1]) < 0xA0)
      return "control character in mailbox name";
  }
  return std::nullopt;
}

std::string folder_dir(const std::string& maildir, const std::string& name) {
  if (name == "INBOX") return maildir;
  return maildir + "/." + name;
}

}  // namespace postern::mailbox

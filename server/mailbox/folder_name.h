// Mailbox names as IMAP clients see them and as folders on disk (Dovecot's Maildir++
// layout): INBOX is the Maildir itself, "Sent" is <maildir>/.Sent, "Work.2026" is
// <maildir>/.Work.2026; '.' is the hierarchy delimiter. Names keep their modified UTF-7
// form on disk, as Dovecot does.
// Pure. check_folder_name says why a name is refused; nothing that fails it reaches the disk.
#pragma once
#include <optional>
#include <string>

namespace postern::mailbox {

constexpr char kDelimiter = '.';

// "INBOX" in any case becomes "INBOX"; other names are returned unchanged.
std::string canonical_name(const std::string& name);
// nullopt when acceptable; otherwise the reason (empty component, '/', control
// characters, malformed modified UTF-7, too long...).
std::optional<std::string> check_folder_name(const std::string& name);
// Directory of an (acceptable, canonical) name inside the user's Maildir.
std::string folder_dir(const std::string& maildir, const std::string& name);

}  // namespace postern::mailbox

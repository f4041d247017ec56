// Maildir delivery, compatible with Dovecot: a message is written under tmp/, fsync'd,
// then linked into new/ and the directory fsync'd, so it is either fully there or absent.
// Layout: <mail_root>/<domain>/<local>/{tmp,new,cur}.
#pragma once
#include <string>
#include <string_view>

namespace postern::store {

// Path of a user's Maildir. Throws std::invalid_argument when the address would escape
// the mail root (contains '/', or a part starts with '.').
std::string maildir_path(const std::string& mail_root, const std::string& address_key);

// Creates tmp/new/cur when missing.
void ensure_maildir(const std::string& maildir);

// Writes `prefix` followed by `body` as one new message (file fsync'd, then moved into
// new/). Returns the file name in new/. With `sync_dir` false the caller must fsync new/
// itself (fsync_dir(maildir + "/new")) before it reports the delivery — which lets a batch of
// deliveries share one directory sync. Throws std::system_error on I/O failure (nothing is
// left in new/ then).
std::string deliver_to_maildir(const std::string& maildir, std::string_view prefix, std::string_view body,
                               bool sync_dir = true);

}  // namespace postern::store

// Maildir delivery, compatible with Dovecot: a message is written under tmp/, fsync'd,
// then linked into new/ and the directory fsync'd, so it is either fully there or absent.
// Layout: <mail_root>/<domain>/<local>/{tmp,new,cur}.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

namespace postern::store {

// Path of a user's Maildir. Throws std::invalid_argument when the address would escape
// the mail root (contains '/', or a part starts with '.').
std::string maildir_path(const std::string& mail_root, const std::string& address_key);

// Creates tmp/new/cur when missing.
void ensure_maildir(const std::string& maildir);

// Writes `prefix` followed by `body` as one new message (file fsync'd, then moved into
// new/). Returns the file name in new/. `unique` names the copy (see copy_name): the same
// copy delivered twice replaces itself in new/ instead of doubling; empty picks a fresh name. With `sync_dir` false the caller must fsync new/
// itself (fsync_dir(maildir + "/new")) before it reports the delivery — which lets a batch of
// deliveries share one directory sync. Throws std::system_error on I/O failure (nothing is
// left in new/ then).
std::string deliver_to_maildir(const std::string& maildir, std::string_view prefix, std::string_view body,
                               bool sync_dir = true, const std::string& unique = "");

// The unique part of a Maildir file name for one queued copy of a message, stable across
// restarts (Dovecot's "<time>.<unique>.<host>" shape), so a delivery repeated after a crash
// can recognise the copy it already made.
std::string copy_name(int64_t received_at, const std::string& queue_id, int64_t envelope_id);

// Whether the copy `unique` is in new/, or in cur/ where a reader moved it (adding ":2,FLAGS").
// Reads the whole cur/ directory: meant for the rare redelivery after a crash.
bool has_copy(const std::string& maildir, const std::string& unique);

}  // namespace postern::store

// One user's mailboxes: Maildir++ folders (see folder_name.h) holding the messages as
// files, and a SQLite index beside them (<maildir>/postern-index.sqlite) holding what IMAP
// needs to be stable: UIDVALIDITY, UIDNEXT, each message's UID, flags, size, internal date
// and mod-sequence, and subscriptions. The files stay the truth: sync() brings the index in
// line with cur/ and new/ (files delivered by SMTP, dropped or removed by other programs);
// a lost index is rebuilt with a new UIDVALIDITY. System flags also live in the file names
// (":2,FS"), as Dovecot and every Maildir reader expect, and so do keywords, lettered through
// the folder's dovecot-keywords file (maildir_keywords.h).
// New messages (SMTP delivery and APPEND alike) arrive through store::deliver_to_maildir
// into new/ and get their UID from sync().
// Errors: expected refusals throw mailbox::Refused with a response code for the client;
// I/O and database failures throw std::system_error / store::DbError.
// Threading: one thread at a time (the IMAP event loop owns every UserStore).
#pragma once
#include <array>
#include <cstdint>
#include <ctime>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mailbox/maildir_keywords.h"
#include "store/sqlite.h"

namespace postern::mailbox {

class Refused : public std::runtime_error {
 public:
  // `code` is an IMAP response code: "NONEXISTENT", "ALREADYEXISTS", "CANNOT", "TRYCREATE".
  Refused(std::string code, const std::string& what) : std::runtime_error(what), code_(std::move(code)) {}
  const std::string& code() const { return code_; }

 private:
  std::string code_;
};

struct MessageInfo {
  uint32_t uid = 0;
  std::string flags;  // canonical: sorted, space-separated ("\\Flagged \\Seen $Label1")
  uint64_t size = 0;  // RFC822.SIZE: bytes with CRLF line ends
  int64_t internal_date = 0;
  uint64_t modseq = 0;
  std::string file;  // name inside cur/
};

struct MailboxStatus {
  uint32_t messages = 0, unseen = 0, recent = 0, uidnext = 1, uidvalidity = 0;
  uint64_t highest_modseq = 0;
};

struct CopyResult {
  uint32_t uidvalidity = 0;
  std::vector<std::pair<uint32_t, uint32_t>> uids;  // (source, destination)
};

extern const char* const kSpecialFolders[5];  // Sent, Drafts, Trash, Junk, Archive
// "\\Sent" for "Sent" etc., empty for other names.
std::string special_use(const std::string& name);

class UserStore {
 public:
  // Opens (and on first use creates) the Maildir, the special folders and the index.
  explicit UserStore(std::string maildir);

  const std::string& maildir() const { return maildir_; }
  std::vector<std::string> folders();  // every existing mailbox, INBOX first
  bool exists(const std::string& name);
  void create(const std::string& name);
  void remove(const std::string& name);
  void rename(const std::string& from, const std::string& to);
  void subscribe(const std::string& name, bool on);
  std::vector<std::string> subscriptions();

  // Reconciles the index with the files; true when anything changed. Cheap when the
  // directories have not changed since the last look. Unless `force`, a folder scanned less
  // than a second ago is not scanned again: changes made through this store are in the index
  // already, so only other programs' changes wait, for a second at most.
  bool sync(const std::string& name, bool force = false);
  MailboxStatus status(const std::string& name);
  std::vector<MessageInfo> messages(const std::string& name);
  std::optional<MessageInfo> message(const std::string& name, uint32_t uid);
  // ENVELOPE, BODY and BODYSTRUCTURE texts computed once and kept in the index (a message
  // never changes), as Dovecot's cache does: syncing clients ask for them again and again.
  struct Parsed {
    std::string envelope, body, body_structure;
  };
  std::optional<Parsed> parsed(const std::string& name, uint32_t uid);
  void keep_parsed(const std::string& name, uint32_t uid, const Parsed& p);
  uint64_t highest_modseq(const std::string& name) { return box(name).modseq; }
  // \Recent (RFC 3501 §2.3.2): a message is recent to the first session that selects its
  // mailbox read-write after it arrived. The index keeps the first UID no session has been
  // told about yet; claim_recent() returns it and moves it past every message indexed now
  // (SELECT, and a read-write session hearing of new mail), recent_from() only looks
  // (EXAMINE, which must not take \Recent away).
  uint32_t claim_recent(const std::string& name);
  uint32_t recent_from(const std::string& name) { return box(name).recent_uid; }
  // Messages added or changed after `modseq` (what a session needs to catch up).
  std::vector<MessageInfo> changed_since(const std::string& name, uint64_t modseq);
  // How many messages have a UID up to `uid` (fewer than a session knows: some were expunged).
  uint32_t count_up_to(const std::string& name, uint32_t uid);
  // Goes up whenever a message leaves the index, in any folder: while it stays the same, a
  // session's view has lost nothing and need not count (count_up_to reads every row).
  uint64_t removals() const { return removals_; }
  std::string message_path(const std::string& name, const MessageInfo& m) const;
  std::string folder_path(const std::string& name) const { return dir(name); }
  // Whether the index already accounts for a file event seen in the folder's new/ (`in_new`)
  // or cur/: a file created under the name the index has for it, or a name removed that the
  // index no longer has (Postern's own renames, moves out of new/, expunges). Anything else
  // was done by another program and needs a sync().
  bool index_explains(const std::string& name, bool in_new, const std::string& file, bool created);
  // Sets the message's flags (canonicalized); returns the stored form, or nullopt when the
  // message is gone. The file is renamed (its name carries the flags): `file` gets the new name.
  std::optional<std::string> set_flags(const std::string& name, uint32_t uid, const std::string& flags,
                                       std::string* file = nullptr);
  void expunge(const std::string& name, const std::vector<uint32_t>& uids);
  // Ingests a message through the delivery path; returns its UID.
  uint32_t append(const std::string& name, std::string_view data, const std::string& flags,
                  std::optional<std::time_t> internal_date);
  CopyResult copy(const std::string& from, const std::vector<uint32_t>& uids, const std::string& to);

 private:
  struct Box {
    int64_t id;
    uint32_t uidvalidity, uidnext;
    uint64_t modseq;
    uint32_t recent_uid;
  };
  Box box(const std::string& name);  // throws Refused(NONEXISTENT)
  uint32_t next_uidvalidity();
  uint32_t count_from(int64_t box_id, uint32_t uid);
  // The folder's dovecot-keywords table (see maildir_keywords.h), reread when it changed.
  const KeywordTable& keywords(const std::string& name);
  // A message file's name in the folder for the given flags: "<base>:2,<letters>".
  std::string file_name(const std::string& name, const std::string& base, const std::string& flags);  // messages with a UID of at least `uid`
  std::string dir(const std::string& name) const;
  store::Stmt stmt(const char* sql);

  std::string maildir_;
  std::unique_ptr<store::Db> db_;
  // Directory mtimes seen at the last sync, per folder; a sync with unchanged ones is skipped.
  std::map<std::string, std::array<int64_t, 3>> seen_mtimes_;  // new/, cur/, dovecot-keywords
  std::map<std::string, int64_t> keywords_applied_;  // dovecot-keywords mtime the flags reflect
  std::map<std::string, int64_t> last_scan_ms_;
  struct Keywords {
    KeywordTable table;
    int64_t mtime = -1;
  };
  std::map<std::string, Keywords> keywords_;
  uint64_t removals_ = 0;
};

// Canonical flag list: known system flags with their standard case, sorted, no duplicates.
// nullopt when a flag is not acceptable (\Recent, unknown backslash flag, bad characters).
std::optional<std::string> canonical_flags(const std::vector<std::string>& flags);
std::vector<std::string> split_flags(const std::string& flags);

}  // namespace postern::mailbox

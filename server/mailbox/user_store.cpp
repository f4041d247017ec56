#include "mailbox/user_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <set>
#include <system_error>

#include "mailbox/folder_name.h"
#include "mailbox/maildir_keywords.h"
#include "store/maildir.h"
#include "util/fs.h"
#include "util/strings.h"

namespace postern::mailbox {

const char* const kSpecialFolders[5] = {"Sent", "Drafts", "Trash", "Junk", "Archive"};

std::string special_use(const std::string& name) {
  for (const char* f : kSpecialFolders)
    if (name == f) return std::string("\\") + f;
  return "";
}

namespace {

[[noreturn]] void fail(const std::string& what) { throw std::system_error(errno, std::generic_category(), what); }

std::vector<std::string> list_dir(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = ::opendir(path.c_str());
  if (!d) return out;
  while (auto* e = ::readdir(d))
    if (e->d_name[0] != '.') out.push_back(e->d_name);
  ::closedir(d);
  return out;
}

int64_t mtime_ns(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  return int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

bool is_dir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string base_of(const std::string& file) {
  auto colon = file.find(":2,");
  return colon == std::string::npos ? file : file.substr(0, colon);
}

std::string letters_of(const std::string& file) {
  auto colon = file.find(":2,");
  return colon == std::string::npos ? "" : file.substr(colon + 3);
}

// RFC822.SIZE is counted with CRLF line ends, whatever the file uses.
uint64_t crlf_size(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  uint64_t size = 0;
  char buf[65536];
  char prev = 0;
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) break;
    for (ssize_t i = 0; i < n; ++i) {
      if (buf[i] == '\n' && prev != '\r') ++size;
      prev = buf[i];
    }
    size += uint64_t(n);
  }
  ::close(fd);
  return size;
}

std::string unique_base() {
  static unsigned long seq = 0;
  struct timeval tv;
  ::gettimeofday(&tv, nullptr);
  char host[128] = {};
  ::gethostname(host, sizeof host - 1);
  std::string h;
  for (char c : std::string(host)) h += (c == '/' ? "\\057" : c == ':' ? "\\072" : std::string(1, c));
  return std::to_string(tv.tv_sec) + ".M" + std::to_string(tv.tv_usec) + "P" + std::to_string(::getpid()) + "C" +
         std::to_string(++seq) + "." + (h.empty() ? "localhost" : h);
}

}  // namespace

std::vector<std::string> split_flags(const std::string& flags) { return util::split_list(flags, ' '); }

std::optional<std::string> canonical_flags(const std::vector<std::string>& flags) {
  std::set<std::string> system;
  std::set<std::string> keywords;
  for (const auto& f : flags) {
    if (f.empty()) return std::nullopt;
    if (f[0] == '\\') {
      bool known = false;
      for (auto [name, letter] : kSystemFlags)
        if (util::iequals(f, name)) {
          system.insert(name);
          known = true;
        }
      if (!known) return std::nullopt;
      continue;
    }
    for (unsigned char c : f)
      if (c <= ' ' || c >= 0x7f || c == '(' || c == ')' || c == '{' || c == '"' || c == '%' || c == '*' || c == ']' ||
          c == '\\')
        return std::nullopt;
    keywords.insert(f);
  }
  std::vector<std::string> all(system.begin(), system.end());
  all.insert(all.end(), keywords.begin(), keywords.end());
  return util::join(all, " ");
}

UserStore::UserStore(std::string maildir) : maildir_(std::move(maildir)) {
  store::ensure_maildir(maildir_);
  db_ = std::make_unique<store::Db>(maildir_ + "/postern-index.sqlite");
  // The index can always be rebuilt from the files: losing the last commits in a crash costs
  // a resync, not mail, so skip the fsync per transaction.
  // 2 MB of page cache (filled only as a user's mailboxes are read): with less, every command
  // of a busy session re-read index pages from the write-ahead log.
  db_->exec("PRAGMA synchronous=NORMAL; PRAGMA cache_size=-2048");
  db_->exec(
      "CREATE TABLE IF NOT EXISTS mailboxes(id INTEGER PRIMARY KEY, name TEXT UNIQUE NOT NULL,"
      " uidvalidity INTEGER NOT NULL, uidnext INTEGER NOT NULL, modseq INTEGER NOT NULL,"
      " subscribed INTEGER NOT NULL DEFAULT 0, recent_uid INTEGER NOT NULL DEFAULT 1);"
      "CREATE TABLE IF NOT EXISTS messages(mailbox INTEGER NOT NULL, uid INTEGER NOT NULL, base TEXT NOT NULL,"
      " file TEXT NOT NULL, flags TEXT NOT NULL, size INTEGER NOT NULL, internaldate INTEGER NOT NULL,"
      " modseq INTEGER NOT NULL, envelope TEXT, body TEXT, bodystructure TEXT,"
      " PRIMARY KEY(mailbox, uid)) WITHOUT ROWID;"
      "CREATE INDEX IF NOT EXISTS messages_base ON messages(mailbox, base);"
      "CREATE INDEX IF NOT EXISTS messages_modseq ON messages(mailbox, modseq);");
  // Indexes made before the parsed-structure cache existed get its columns.
  bool has_cache = false;
  {
    auto info = db_->prepare("PRAGMA table_info(messages)");
    while (info.step()) has_cache |= info.text(1) == "envelope";
  }
  if (!has_cache)
    db_->exec("ALTER TABLE messages ADD COLUMN envelope TEXT; ALTER TABLE messages ADD COLUMN body TEXT;"
              "ALTER TABLE messages ADD COLUMN bodystructure TEXT;");
  // Indexes made before \Recent was kept: what they hold has been seen already.
  bool has_recent = false;
  {
    auto info = db_->prepare("PRAGMA table_info(mailboxes)");
    while (info.step()) has_recent |= info.text(1) == "recent_uid";
  }
  if (!has_recent)
    db_->exec("ALTER TABLE mailboxes ADD COLUMN recent_uid INTEGER NOT NULL DEFAULT 1;"
              "UPDATE mailboxes SET recent_uid=uidnext;");
  box("INBOX");
  for (const char* f : kSpecialFolders) {
    if (!is_dir(dir(f))) {
      store::ensure_maildir(dir(f));
      box(f);
      subscribe(f, true);
    }
  }
}

store::Stmt UserStore::stmt(const char* sql) { return db_->prepare(sql); }

std::string UserStore::dir(const std::string& name) const { return folder_dir(maildir_, name); }

const KeywordTable& UserStore::keywords(const std::string& name) {
  // Dovecot may number new keywords too: reread the file when it changed.
  std::string path = dir(name) + "/dovecot-keywords";
  int64_t m = mtime_ns(path);
  auto it = keywords_.find(name);
  if (it != keywords_.end() && it->second.mtime == m) return it->second.table;
  auto& k = keywords_[name];
  k.table = m < 0 ? KeywordTable() : KeywordTable::parse(util::read_file(path));
  k.mtime = m;
  return k.table;
}

std::string UserStore::file_name(const std::string& name, const std::string& base, const std::string& flags) {
  keywords(name);
  auto& k = keywords_[name];
  bool added = false;
  std::string letters = info_letters(flags, k.table, added);
  if (added) {
    // XXX: Dovecot takes dovecot-keywords.lock before rewriting the file; this write does not,
    // so a keyword numbered by both at the same instant could lose one numbering (its
    // messages then show the other's keyword until the letter is set again).
    std::string path = dir(name) + "/dovecot-keywords";
    util::write_file_atomic(path, k.table.format(), 0600);
    k.mtime = mtime_ns(path);
  }
  return base + ":2," + letters;
}

uint32_t UserStore::next_uidvalidity() {
  // The last value handed out lives in a file beside the index (as Dovecot's
  // dovecot-uidvalidity does), so an index rebuilt within the same second still gets a
  // value no client has cached.
  std::string path = maildir_ + "/postern-uidvalidity";
  long long last = 0;
  if (util::file_exists(path)) util::parse_int(util::trim(util::read_file(path)), last);
  int64_t v = std::max<int64_t>(int64_t(std::time(nullptr)), last + 1) & 0xffffffff;
  util::write_file_atomic(path, std::to_string(v) + "\n", 0600);
  return uint32_t(v);
}

UserStore::Box UserStore::box(const std::string& name) {
  if (name != "INBOX" && !is_dir(dir(name) + "/cur")) throw Refused("NONEXISTENT", "No such mailbox");
  auto q = stmt("SELECT id, uidvalidity, uidnext, modseq, recent_uid FROM mailboxes WHERE name=?");
  q.bind(1, name);
  if (q.step())
    return {q.integer(0), uint32_t(q.integer(1)), uint32_t(q.integer(2)), uint64_t(q.integer(3)),
            uint32_t(q.integer(4))};
  // A folder made by another program, or an index rebuilt from the files.
  Box b{0, next_uidvalidity(), 1, 1, 1};
  stmt("INSERT INTO mailboxes(name, uidvalidity, uidnext, modseq) VALUES(?, ?, 1, 1)")
      .bind(1, name)
      .bind(2, int64_t(b.uidvalidity))
      .run();
  b.id = db_->last_insert_rowid();
  seen_mtimes_.erase(name);
  return b;
}

std::vector<std::string> UserStore::folders() {
  std::vector<std::string> out{"INBOX"};
  DIR* d = ::opendir(maildir_.c_str());
  if (d) {
    while (auto* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n.size() < 2 || n[0] != '.' || n == "..") continue;
      n = n.substr(1);
      if (check_folder_name(n) || !is_dir(dir(n) + "/cur")) continue;
      out.push_back(n);
    }
    ::closedir(d);
  }
  std::sort(out.begin() + 1, out.end());
  // Forget folders removed behind our back, so a new one of the same name gets a new UIDVALIDITY.
  std::set<std::string> present(out.begin(), out.end());
  std::vector<std::string> gone;
  auto q = stmt("SELECT name FROM mailboxes");
  while (q.step())
    if (!present.count(q.text(0))) gone.push_back(q.text(0));
  for (const auto& g : gone) {
    auto b = stmt("SELECT id FROM mailboxes WHERE name=?");
    b.bind(1, g);
    if (!b.step()) continue;
    int64_t id = b.integer(0);
    ++removals_;
    stmt("DELETE FROM messages WHERE mailbox=?").bind(1, id).run();
    stmt("DELETE FROM mailboxes WHERE id=?").bind(1, id).run();
  }
  return out;
}

bool UserStore::exists(const std::string& name) { return name == "INBOX" || is_dir(dir(name) + "/cur"); }

void UserStore::create(const std::string& name) {
  if (exists(name)) throw Refused("ALREADYEXISTS", "Mailbox already exists");
  // Parents are implicit in Maildir++; create the folder itself only.
  store::ensure_maildir(dir(name));
  stmt("DELETE FROM mailboxes WHERE name=?").bind(1, name).run();
  box(name);
}

void UserStore::remove(const std::string& name) {
  if (name == "INBOX") throw Refused("CANNOT", "INBOX cannot be deleted");
  Box b = box(name);
  std::string d = dir(name);
  for (const char* sub : {"/cur/", "/new/", "/tmp/"})
    for (const auto& f : list_dir(d + sub)) ::unlink((d + sub + f).c_str());
  for (const auto& f : list_dir(d)) ::unlink((d + "/" + f).c_str());
  for (const char* sub : {"/cur", "/new", "/tmp"}) ::rmdir((d + sub).c_str());
  if (::rmdir(d.c_str()) != 0 && errno != ENOENT) fail("remove " + d);
  ++removals_;
  stmt("DELETE FROM messages WHERE mailbox=?").bind(1, b.id).run();
  stmt("DELETE FROM mailboxes WHERE id=?").bind(1, b.id).run();
  seen_mtimes_.erase(name);
  keywords_.erase(name);
}

void UserStore::rename(const std::string& from, const std::string& to) {
  if (exists(to)) throw Refused("ALREADYEXISTS", "Target mailbox already exists");
  if (from == "INBOX") {
    // RFC 3501: renaming INBOX moves its messages into the new mailbox and leaves it empty.
    create(to);
    std::vector<uint32_t> uids;
    for (const auto& m : messages("INBOX")) uids.push_back(m.uid);
    copy("INBOX", uids, to);
    expunge("INBOX", uids);
    return;
  }
  box(from);
  // The folder and its children (Maildir++ keeps them side by side: .A and .A.B).
  std::vector<std::string> moving;
  for (const auto& f : folders())
    if (f == from || util::istarts_with(f, from + kDelimiter)) moving.push_back(f);
  for (const auto& f : moving) {
    std::string target = to + f.substr(from.size());
    if (::rename(dir(f).c_str(), dir(target).c_str()) != 0) fail("rename " + dir(f));
    stmt("UPDATE mailboxes SET name=? WHERE name=?").bind(1, target).bind(2, f).run();
    seen_mtimes_.erase(f);
    keywords_.erase(f);
  }
}

void UserStore::subscribe(const std::string& name, bool on) {
  if (on) box(name);
  stmt("UPDATE mailboxes SET subscribed=? WHERE name=?").bind(1, int64_t(on)).bind(2, name).run();
}

std::vector<std::string> UserStore::subscriptions() {
  std::vector<std::string> out;
  auto q = stmt("SELECT name FROM mailboxes WHERE subscribed=1 ORDER BY name");
  while (q.step()) out.push_back(q.text(0));
  return out;
}

bool UserStore::sync(const std::string& name, bool force) {
  Box b = box(name);
  std::string d = dir(name);
  using namespace std::chrono;
  int64_t now_ms = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  auto last = last_scan_ms_.find(name);
  if (!force && last != last_scan_ms_.end() && now_ms - last->second < 1000) return false;
  last_scan_ms_[name] = now_ms;
  // Another program (Dovecot) may number keywords and rename files in either order: a
  // changed dovecot-keywords file means every lettered name is read again.
  int64_t new_m = mtime_ns(d + "/new"), cur_m = mtime_ns(d + "/cur"), kw_m = mtime_ns(d + "/dovecot-keywords");
  auto seen = seen_mtimes_.find(name);
  if (seen != seen_mtimes_.end() && seen->second == std::array<int64_t, 3>{new_m, cur_m, kw_m}) return false;
  bool relabel = keywords_applied_.count(name) == 0 || keywords_applied_[name] != kw_m;

  // Mail in new/ has been seen by an IMAP server now: move it to cur/ as Dovecot does.
  for (const auto& f : list_dir(d + "/new")) {
    std::string target = d + "/cur/" + base_of(f) + ":2," + letters_of(f);
    if (::rename((d + "/new/" + f).c_str(), target.c_str()) != 0 && errno != ENOENT) fail("rename " + f);
  }
  struct Row {
    uint32_t uid;
    std::string file, flags;
    bool present = false;
  };
  std::map<std::string, Row> rows;
  {
    auto q = stmt("SELECT uid, base, file, flags FROM messages WHERE mailbox=?");
    q.bind(1, b.id);
    while (q.step()) rows[q.text(1)] = {uint32_t(q.integer(0)), q.text(2), q.text(3)};
  }
  struct Fresh {
    int64_t mtime;
    std::string file;
  };
  std::vector<Fresh> fresh;
  bool changed = false;
  store::Transaction tx(*db_);
  uint64_t modseq = b.modseq;
  for (const auto& f : list_dir(d + "/cur")) {
    auto it = rows.find(base_of(f));
    if (it == rows.end()) {
      struct stat st;
      if (::stat((d + "/cur/" + f).c_str(), &st) == 0 && S_ISREG(st.st_mode)) fresh.push_back({int64_t(st.st_mtime), f});
      continue;
    }
    it->second.present = true;
    bool renamed = it->second.file != f;
    if (renamed || relabel) {
      // Renamed by another program: its flags may have changed.
      std::string flags = flags_from_info(it->second.flags, letters_of(f), keywords(name));
      if (!renamed) {
        // Only the numbering changed: letters can have gained a meaning, nothing was taken
        // away (that takes a rename), so keep keywords the name does not carry (an index
        // made before keywords were in file names has such).
        auto both = split_flags(it->second.flags);
        for (const auto& k : split_flags(flags)) both.push_back(k);
        flags = canonical_flags(both).value_or(flags);
        if (flags == it->second.flags) continue;
      }
      stmt("UPDATE messages SET file=?, flags=?, modseq=? WHERE mailbox=? AND uid=?")
          .bind(1, f)
          .bind(2, flags)
          .bind(3, int64_t(++modseq))
          .bind(4, b.id)
          .bind(5, int64_t(it->second.uid))
          .run();
      changed = true;
    }
  }
  for (const auto& [base, row] : rows) {
    if (row.present) continue;
    ++removals_;
    stmt("DELETE FROM messages WHERE mailbox=? AND uid=?").bind(1, b.id).bind(2, int64_t(row.uid)).run();
    changed = true;
  }
  std::sort(fresh.begin(), fresh.end(), [](const Fresh& a, const Fresh& b) {
    return a.mtime != b.mtime ? a.mtime < b.mtime : a.file < b.file;
  });
  uint32_t uidnext = b.uidnext;
  for (const auto& f : fresh) {
    std::string path = d + "/cur/" + f.file;
    stmt(
           "INSERT INTO messages(mailbox, uid, base, file, flags, size, internaldate, modseq) VALUES(?,?,?,?,?,?,?,?)")
        .bind(1, b.id)
        .bind(2, int64_t(uidnext++))
        .bind(3, base_of(f.file))
        .bind(4, f.file)
        .bind(5, flags_from_info("", letters_of(f.file), keywords(name)))
        .bind(6, int64_t(crlf_size(path)))
        .bind(7, f.mtime)
        .bind(8, int64_t(++modseq))
        .run();
    changed = true;
  }
  if (changed)
    stmt("UPDATE mailboxes SET uidnext=?, modseq=? WHERE id=?")
        .bind(1, int64_t(uidnext))
        .bind(2, int64_t(modseq))
        .bind(3, b.id)
        .run();
  tx.commit();
  // Trust the directory times only when they are safely in the past: a change within the
  // file system's timestamp granularity would otherwise go unnoticed.
  int64_t now_ns = int64_t(std::time(nullptr)) * 1000000000;
  keywords_applied_[name] = kw_m;
  new_m = mtime_ns(d + "/new");
  cur_m = mtime_ns(d + "/cur");
  if (now_ns - std::max({new_m, cur_m, kw_m}) > 2000000000LL)
    seen_mtimes_[name] = {new_m, cur_m, kw_m};
  else
    seen_mtimes_.erase(name);
  return changed;
}

uint32_t UserStore::claim_recent(const std::string& name) {
  Box b = box(name);
  if (b.recent_uid < b.uidnext)
    stmt("UPDATE mailboxes SET recent_uid=? WHERE id=?").bind(1, int64_t(b.uidnext)).bind(2, b.id).run();
  return b.recent_uid;
}

MailboxStatus UserStore::status(const std::string& name) {
  Box b = box(name);
  MailboxStatus s;
  s.uidvalidity = b.uidvalidity;
  s.uidnext = b.uidnext;
  s.highest_modseq = b.modseq;
  auto q = stmt(
      "SELECT count(*), sum(CASE WHEN (' ' || flags || ' ') LIKE '% \\Seen %' THEN 0 ELSE 1 END) FROM messages WHERE mailbox=?");
  q.bind(1, b.id);
  if (q.step()) {
    s.messages = uint32_t(q.integer(0));
    s.unseen = uint32_t(q.integer(1));
  }
  s.recent = count_from(b.id, b.recent_uid);
  return s;
}

std::vector<MessageInfo> UserStore::messages(const std::string& name) {
  Box b = box(name);
  std::vector<MessageInfo> out;
  auto q = stmt("SELECT uid, flags, size, internaldate, modseq, file FROM messages WHERE mailbox=? ORDER BY uid");
  q.bind(1, b.id);
  while (q.step())
    out.push_back({uint32_t(q.integer(0)), q.text(1), uint64_t(q.integer(2)), q.integer(3), uint64_t(q.integer(4)), q.text(5)});
  return out;
}

std::optional<MessageInfo> UserStore::message(const std::string& name, uint32_t uid) {
  Box b = box(name);
  auto q = stmt("SELECT uid, flags, size, internaldate, modseq, file FROM messages WHERE mailbox=? AND uid=?");
  q.bind(1, b.id).bind(2, int64_t(uid));
  if (!q.step()) return std::nullopt;
  return MessageInfo{uint32_t(q.integer(0)), q.text(1), uint64_t(q.integer(2)), q.integer(3), uint64_t(q.integer(4)), q.text(5)};
}

std::optional<UserStore::Parsed> UserStore::parsed(const std::string& name, uint32_t uid) {
  Box b = box(name);
  auto q = stmt("SELECT envelope, body, bodystructure FROM messages WHERE mailbox=? AND uid=? AND envelope IS NOT NULL");
  q.bind(1, b.id).bind(2, int64_t(uid));
  if (!q.step()) return std::nullopt;
  return Parsed{q.text(0), q.text(1), q.text(2)};
}

void UserStore::keep_parsed(const std::string& name, uint32_t uid, const Parsed& p) {
  Box b = box(name);
  stmt("UPDATE messages SET envelope=?, body=?, bodystructure=? WHERE mailbox=? AND uid=?")
      .bind(1, p.envelope)
      .bind(2, p.body)
      .bind(3, p.body_structure)
      .bind(4, b.id)
      .bind(5, int64_t(uid))
      .run();
}

std::vector<MessageInfo> UserStore::changed_since(const std::string& name, uint64_t modseq) {
  Box b = box(name);
  std::vector<MessageInfo> out;
  // Through the mod-sequence index, sorted here: with ORDER BY uid SQLite walks the primary
  // key and reads every message of the mailbox, on every command of every session.
  auto q = stmt(
      "SELECT uid, flags, size, internaldate, modseq, file FROM messages INDEXED BY messages_modseq"
      " WHERE mailbox=? AND modseq>?");
  q.bind(1, b.id).bind(2, int64_t(modseq));
  while (q.step())
    out.push_back({uint32_t(q.integer(0)), q.text(1), uint64_t(q.integer(2)), q.integer(3), uint64_t(q.integer(4)), q.text(5)});
  std::sort(out.begin(), out.end(), [](const MessageInfo& a, const MessageInfo& b) { return a.uid < b.uid; });
  return out;
}

uint32_t UserStore::count_from(int64_t box_id, uint32_t uid) {
  auto q = stmt("SELECT count(*) FROM messages WHERE mailbox=? AND uid>=?");
  q.bind(1, box_id).bind(2, int64_t(uid));
  return q.step() ? uint32_t(q.integer(0)) : 0;
}

uint32_t UserStore::count_up_to(const std::string& name, uint32_t uid) {
  Box b = box(name);
  auto q = stmt("SELECT count(*) FROM messages WHERE mailbox=? AND uid<=?");
  q.bind(1, b.id).bind(2, int64_t(uid));
  return q.step() ? uint32_t(q.integer(0)) : 0;
}

bool UserStore::index_explains(const std::string& name, bool in_new, const std::string& file, bool created) {
  if (file.empty()) return false;
  if (in_new) return !created;  // sync() moves what arrives in new/ to cur/; arrivals need it
  Box b = box(name);
  auto q = stmt("SELECT file FROM messages WHERE mailbox=? AND base=?");
  q.bind(1, b.id).bind(2, base_of(file));
  bool indexed_under_it = q.step() && q.text(0) == file;
  return created ? indexed_under_it : !indexed_under_it;
}

std::string UserStore::message_path(const std::string& name, const MessageInfo& m) const {
  return dir(name) + "/cur/" + m.file;
}

std::optional<std::string> UserStore::set_flags(const std::string& name, uint32_t uid, const std::string& flags,
                                                std::string* file_out) {
  Box b = box(name);
  auto q = stmt("SELECT base, file, flags FROM messages WHERE mailbox=? AND uid=?");
  q.bind(1, b.id).bind(2, int64_t(uid));
  if (!q.step()) return std::nullopt;
  std::string base = q.text(0), file = q.text(1), old = q.text(2);
  if (file_out) *file_out = file;
  if (old == flags) return flags;
  std::string target = file_name(name, base, flags);
  if (target != file) {
    std::string d = dir(name) + "/cur/";
    if (::rename((d + file).c_str(), (d + target).c_str()) != 0) {
      if (errno == ENOENT) return std::nullopt;  // removed by another program; the next sync notices
      fail("rename " + file);
    }
  }
  store::Transaction tx(*db_);
  stmt("UPDATE mailboxes SET modseq=modseq+1 WHERE id=?").bind(1, b.id).run();
  stmt("UPDATE messages SET file=?, flags=?, modseq=? WHERE mailbox=? AND uid=?")
      .bind(1, target)
      .bind(2, flags)
      .bind(3, int64_t(b.modseq + 1))
      .bind(4, b.id)
      .bind(5, int64_t(uid))
      .run();
  tx.commit();
  if (file_out) *file_out = target;
  return flags;
}

void UserStore::expunge(const std::string& name, const std::vector<uint32_t>& uids) {
  Box b = box(name);
  std::string d = dir(name) + "/cur/";
  store::Transaction tx(*db_);
  for (uint32_t uid : uids) {
    auto q = stmt("SELECT file FROM messages WHERE mailbox=? AND uid=?");
    q.bind(1, b.id).bind(2, int64_t(uid));
    if (!q.step()) continue;
    if (::unlink((d + q.text(0)).c_str()) != 0 && errno != ENOENT) fail("unlink " + q.text(0));
    ++removals_;
    stmt("DELETE FROM messages WHERE mailbox=? AND uid=?").bind(1, b.id).bind(2, int64_t(uid)).run();
  }
  stmt("UPDATE mailboxes SET modseq=modseq+1 WHERE id=?").bind(1, b.id).run();
  tx.commit();
}

uint32_t UserStore::append(const std::string& name, std::string_view data, const std::string& flags,
                           std::optional<std::time_t> internal_date) {
  box(name);
  std::string d = dir(name);
  std::string file = store::deliver_to_maildir(d, "", data);
  if (internal_date) {
    struct timeval times[2] = {{*internal_date, 0}, {*internal_date, 0}};
    ::utimes((d + "/new/" + file).c_str(), times);
  }
  seen_mtimes_.erase(name);
  sync(name, true);
  auto q = stmt("SELECT uid FROM messages WHERE mailbox=(SELECT id FROM mailboxes WHERE name=?) AND base=?");
  q.bind(1, name).bind(2, file);
  if (!q.step()) throw std::runtime_error("appended message vanished");
  uint32_t uid = uint32_t(q.integer(0));
  if (!flags.empty()) set_flags(name, uid, flags);
  return uid;
}

CopyResult UserStore::copy(const std::string& from, const std::vector<uint32_t>& uids, const std::string& to) {
  if (!exists(to)) throw Refused("TRYCREATE", "No such mailbox");
  Box src = box(from), dst = box(to);
  CopyResult res;
  res.uidvalidity = dst.uidvalidity;
  std::string sd = dir(from) + "/cur/", dd = dir(to) + "/cur/";
  store::Transaction tx(*db_);
  uint32_t uidnext = dst.uidnext;
  uint64_t modseq = dst.modseq;
  for (uint32_t uid : uids) {
    auto q = stmt("SELECT file, flags, size, internaldate FROM messages WHERE mailbox=? AND uid=?");
    q.bind(1, src.id).bind(2, int64_t(uid));
    if (!q.step()) continue;
    std::string base = unique_base();
    std::string target = file_name(to, base, q.text(1));
    if (::link((sd + q.text(0)).c_str(), (dd + target).c_str()) != 0) {
      if (errno == ENOENT) continue;  // expunged by another program meanwhile
      // Different file systems or no hard links: copy the bytes.
      std::string bytes = util::read_file(sd + q.text(0));
      util::write_file_atomic(dd + target, bytes, 0600);
      struct timeval times[2] = {{q.integer(3), 0}, {q.integer(3), 0}};
      ::utimes((dd + target).c_str(), times);
    }
    stmt(
           "INSERT INTO messages(mailbox, uid, base, file, flags, size, internaldate, modseq) VALUES(?,?,?,?,?,?,?,?)")
        .bind(1, dst.id)
        .bind(2, int64_t(uidnext))
        .bind(3, base)
        .bind(4, target)
        .bind(5, q.text(1))
        .bind(6, q.integer(2))
        .bind(7, q.integer(3))
        .bind(8, int64_t(++modseq))
        .run();
    res.uids.push_back({uid, uidnext++});
  }
  stmt("UPDATE mailboxes SET uidnext=?, modseq=? WHERE id=?")
      .bind(1, int64_t(uidnext))
      .bind(2, int64_t(modseq))
      .bind(3, dst.id)
      .run();
  tx.commit();
  util::fsync_dir(dir(to) + "/cur");
  return res;
}

}  // namespace postern::mailbox

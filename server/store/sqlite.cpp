#include "store/sqlite.h"

#include <mutex>

namespace postern::store {

namespace {
[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw DbError(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}
}  // namespace

Stmt::Stmt(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), int(sql.size()), &stmt_, nullptr) != SQLITE_OK)
    fail(db, "prepare '" + std::string(sql) + "'");
}

Stmt::~Stmt() {
  if (!stmt_) return;
  if (slot_ && !*slot_) {
    // Back to the cache, holding no read snapshot and no bound copies.
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    *slot_ = stmt_;
  } else {
    sqlite3_finalize(stmt_);
  }
}

Stmt& Stmt::bind(int idx, std::string_view text) {
  if (sqlite3_bind_text(stmt_, idx, text.data(), int(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

Stmt& Stmt::bind(int idx, int64_t value) {
  if (sqlite3_bind_int64(stmt_, idx, value) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Stmt& Stmt::bind_blob(int idx, std::string_view bytes) {
  if (sqlite3_bind_blob64(stmt_, idx, bytes.data(), bytes.size(), SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

Stmt& Stmt::bind_null(int idx) {
  if (sqlite3_bind_null(stmt_, idx) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

bool Stmt::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  std::string msg = sqlite3_errmsg(db_);
  sqlite3_reset(stmt_);
  throw DbError("step: " + msg);
}

void Stmt::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::string Stmt::text(int col) const {
  auto* p = sqlite3_column_blob(stmt_, col);
  int n = sqlite3_column_bytes(stmt_, col);
  return p ? std::string(static_cast<const char*>(p), size_t(n)) : std::string();
}

int64_t Stmt::integer(int col) const { return sqlite3_column_int64(stmt_, col); }

bool Stmt::is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }

Db::Db(const std::string& path, bool read_only) {
  // SQLite's memory statistics take a global mutex on every allocation, which all the
  // session threads share; nothing reads them. Only possible before SQLite initializes.
  static std::once_flag configured;
  std::call_once(configured, [] { sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0); });
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  flags |= SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError("open " + path + ": " + msg);
  }
  sqlite3_busy_timeout(db_, 10000);
  try {
    // The first statements read the file header: a damaged or foreign file fails here.
    if (!read_only) exec("PRAGMA journal_mode=WAL");
    // FULL: a commit is on disk (WAL fsync'd) when COMMIT returns; the 250 promise needs that.
    // 512 KiB of page cache per connection (SQLite's default is 2 MiB): the tables are small
    // and message bodies are read once; a NAS has better uses for the memory.
    exec("PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-512");
    Stmt probe(db_, "SELECT count(*) FROM sqlite_master");
    probe.step();
  } catch (const DbError&) {
    std::string msg = sqlite3_errmsg(db_);
    sqlite3_close(db_);
    db_ = nullptr;
    throw DbError(path + " cannot be used (" + msg +
                  "): restore it from a backup, or move it aside to start with an empty one");
  }
}

Db::~Db() {
  for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
  if (db_) sqlite3_close_v2(db_);
}

Stmt Db::prepare(std::string_view sql) {
  // A bound on what a connection keeps: the SQL texts are the program's own (constants and
  // a few built from fixed parts), far fewer than this.
  constexpr size_t kMaxCached = 128;
  auto it = cache_.find(std::string(sql));
  if (it == cache_.end()) {
    if (cache_.size() >= kMaxCached) return Stmt(db_, sql);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db_, sql.data(), int(sql.size()), &stmt, nullptr) != SQLITE_OK)
      fail(db_, "prepare '" + std::string(sql) + "'");
    it = cache_.emplace(std::string(sql), nullptr).first;
    return Stmt(db_, stmt, &it->second);
  }
  if (!it->second) return Stmt(db_, sql);  // in use: this one is compiled afresh
  sqlite3_stmt* stmt = it->second;
  it->second = nullptr;
  return Stmt(db_, stmt, &it->second);
}

void Db::exec(std::string_view sql) {
  char* err = nullptr;
  std::string s(sql);
  if (sqlite3_exec(db_, s.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : sqlite3_errmsg(db_);
    sqlite3_free(err);
    throw DbError("exec '" + s + "': " + msg);
  }
}

Transaction::Transaction(Db& db) : db_(db) { db_.prepare("BEGIN IMMEDIATE").run(); }

Transaction::~Transaction() {
  if (!done_) {
    try {
      db_.prepare("ROLLBACK").run();
    } catch (...) {
    }
  }
}

void Transaction::commit() {
  db_.prepare("COMMIT").run();
  done_ = true;
}

}  // namespace postern::store

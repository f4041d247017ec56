// A thin RAII layer over SQLite: connections, prepared statements, transactions.
// Each connection keeps the statements it compiled: compiling costs more than running the
// short queries a mail server makes, once per message and per recipient.
// Errors throw store::DbError (infrastructure failure, not an expected outcome).
// Threading: a Db and its statements belong to one thread at a time; callers lock.
#pragma once
#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

namespace postern::store {

class DbError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Stmt {
 public:
  Stmt(sqlite3* db, std::string_view sql);
  // A statement lent by its connection's cache: `slot` (empty while lent) gets it back,
  // reset, when this Stmt ends.
  Stmt(sqlite3* db, sqlite3_stmt* stmt, sqlite3_stmt** slot) : db_(db), stmt_(stmt), slot_(slot) {}
  ~Stmt();
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  Stmt(Stmt&& o) noexcept : db_(o.db_), stmt_(o.stmt_), slot_(o.slot_) { o.stmt_ = nullptr; }

  Stmt& bind(int idx, std::string_view text);
  Stmt& bind(int idx, int64_t value);
  Stmt& bind_blob(int idx, std::string_view bytes);
  Stmt& bind_null(int idx);
  // Returns true while a row is available; false when done. Throws on error.
  bool step();
  void run() { while (step()) {} }
  void reset();

  std::string text(int col) const;
  int64_t integer(int col) const;
  bool is_null(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
  sqlite3_stmt** slot_ = nullptr;
};

class Db {
 public:
  // Opens (creating if needed) with WAL, foreign keys, a busy timeout and full sync.
  explicit Db(const std::string& path, bool read_only = false);
  ~Db();
  Db(const Db&) = delete;
  Db& operator=(const Db&) = delete;

  // Runs SQL text that may hold several statements, compiled each time (schema, pragmas).
  void exec(std::string_view sql);
  // One statement, from this connection's cache when it was compiled before and is not in
  // use by another Stmt right now.
  Stmt prepare(std::string_view sql);
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* raw() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  // SQL text -> its compiled statement; nullptr while lent to a Stmt. Node-based, so the
  // slots' addresses stay valid as it grows.
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back if destroyed before commit().
class Transaction {
 public:
  explicit Transaction(Db& db);
  ~Transaction();
  void commit();

 private:
  Db& db_;
  bool done_ = false;
};

}  // namespace postern::store

#include "queue/queue_store.h"

#include <sys/statvfs.h>

#include <ctime>
#include <memory>

#include "util/fs.h"

namespace postern::queue {

namespace {
Route parse_route(const std::string& s) { return s == "local" ? Route::Local : Route::Remote; }

// Append only, like the main database's migrations; PRAGMA user_version counts them.
const char* kMigrations[] = {
    R"sql(
CREATE TABLE messages (
  id TEXT PRIMARY KEY,
  received_at INTEGER NOT NULL,
  sender TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  helo TEXT NOT NULL,
  auth_user TEXT NOT NULL,
  size INTEGER NOT NULL,
  body BLOB NOT NULL);
CREATE TABLE envelopes (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL REFERENCES messages(id),
  recipient TEXT NOT NULL,
  original TEXT NOT NULL,
  route TEXT NOT NULL,
  mailbox TEXT NOT NULL,
  transport TEXT NOT NULL DEFAULT '',
  held INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '');
CREATE INDEX envelopes_due ON envelopes(route, next_try);
CREATE INDEX envelopes_message ON envelopes(message_id);
)sql",
    // 2: the delay warning (a "delayed" DSN) is sent once per recipient.
    "ALTER TABLE envelopes ADD COLUMN warned INTEGER NOT NULL DEFAULT 0;",
    // 3: RequireTLS (RFC 8689): why this recipient may only travel over validated TLS.
    "ALTER TABLE envelopes ADD COLUMN require_tls TEXT NOT NULL DEFAULT '';",
    // 4: envelope ids never reused (AUTOINCREMENT), so the runner can ask for what is new
    // since its last scan instead of rereading the whole queue each time mail arrives.
    R"sql(
CREATE TABLE envelopes_v4 (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  message_id TEXT NOT NULL REFERENCES messages(id),
  recipient TEXT NOT NULL,
  original TEXT NOT NULL,
  route TEXT NOT NULL,
  mailbox TEXT NOT NULL,
  transport TEXT NOT NULL DEFAULT '',
  held INTEGER NOT NULL DEFAULT 0,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '',
  warned INTEGER NOT NULL DEFAULT 0,
  require_tls TEXT NOT NULL DEFAULT '');
INSERT INTO envelopes_v4 (id, message_id, recipient, original, route, mailbox, transport, held, attempts, next_try,
                          last_error, warned, require_tls)
  SELECT id, message_id, recipient, original, route, mailbox, transport, held, attempts, next_try, last_error, warned,
         require_tls FROM envelopes;
DROP TABLE envelopes;
ALTER TABLE envelopes_v4 RENAME TO envelopes;
CREATE INDEX envelopes_due ON envelopes(route, next_try);
CREATE INDEX envelopes_message ON envelopes(message_id);
)sql",
};

Envelope read_envelope(store::Stmt& st) {
  Envelope e;
  e.id = st.integer(0);
  e.message_id = st.text(1);
  e.sender = st.text(2);
  e.recipient = st.text(3);
  e.route = parse_route(st.text(4));
  e.mailbox = st.text(5);
  e.attempts = int(st.integer(6));
  e.next_try = st.integer(7);
  e.size = st.integer(8);
  e.last_error = st.text(9);
  e.transport = st.text(10);
  e.received_at = st.integer(11);
  e.held = st.integer(12) != 0;
  e.original = st.text(13);
  e.warned = st.integer(14) != 0;
  e.require_tls = st.text(15);
  return e;
}

const char* kEnvelopeColumns =
    "SELECT e.id, e.message_id, m.sender, e.recipient, e.route, e.mailbox, e.attempts, e.next_try, m.size, "
    "e.last_error, e.transport, m.received_at, e.held, e.original, e.warned, e.require_tls FROM envelopes e JOIN messages m ON m.id = e.message_id ";
}  // namespace

std::string QueueStore::init_schema(const std::string& dir) {
  util::make_dirs(dir, 0700);
  std::string path = dir + "/queue.db";
  store::Db db(path);
  auto version = [&] {
    auto st = db.prepare("PRAGMA user_version");
    st.step();
    return int(st.integer(0));
  };
  const int latest = int(sizeof kMigrations / sizeof kMigrations[0]);
  if (version() > latest) throw store::DbError("queue schema is newer than this program; refusing to downgrade");
  while (version() < latest) {
    store::Transaction tx(db);
    int v = version();
    db.exec(kMigrations[v]);
    db.exec("PRAGMA user_version = " + std::to_string(v + 1));
    tx.commit();
  }
  return path;
}

QueueStore::QueueStore(const std::string& queue_dir)
    : dir_(queue_dir), path_(init_schema(queue_dir)), writer_(path_), reader_(path_) {}

std::optional<uint64_t> QueueStore::free_space() const {
  struct statvfs st;
  if (::statvfs(dir_.c_str(), &st) != 0) return std::nullopt;
  return uint64_t(st.f_bavail) * st.f_frsize;
}

std::future<void> QueueStore::enqueue(Message message) {
  auto shared = std::make_shared<const Message>(std::move(message));
  return writer_.submit([shared](store::Db& db) {
    const Message& msg = *shared;
    int64_t now = std::time(nullptr);
    db.prepare("INSERT INTO messages (id, received_at, sender, client_ip, helo, auth_user, size, body) VALUES (?,?,?,?,?,?,?,?)")
        .bind(1, msg.id).bind(2, now).bind(3, msg.sender).bind(4, msg.client_ip).bind(5, msg.helo)
        .bind(6, msg.auth_user).bind(7, int64_t(msg.body.size())).bind_blob(8, msg.body).run();
    auto ins = db.prepare("INSERT INTO envelopes (message_id, recipient, original, route, mailbox, transport, next_try, require_tls) VALUES (?,?,?,?,?,?,?,?)");
    for (const auto& r : msg.recipients) {
      ins.reset();
      ins.bind(1, msg.id).bind(2, r.address).bind(3, r.original).bind(4, route_name(r.route)).bind(5, r.mailbox)
          .bind(6, r.transport).bind(7, now).bind(8, r.require_tls);
      ins.run();
    }
  });
}

std::vector<Envelope> QueueStore::due(Route route, int64_t now, size_t limit) {
  std::lock_guard<std::mutex> lock(read_mu_);
  auto st = reader_.prepare(std::string(kEnvelopeColumns) + "WHERE e.route = ? AND e.next_try <= ? AND e.held = 0 ORDER BY e.next_try, e.id LIMIT ?");
  st.bind(1, route_name(route)).bind(2, now).bind(3, int64_t(limit));
  std::vector<Envelope> out;
  while (st.step()) out.push_back(read_envelope(st));
  return out;
}

std::vector<Envelope> QueueStore::due_after(Route route, int64_t after_id, int64_t now, size_t limit) {
  std::lock_guard<std::mutex> lock(read_mu_);
  auto st = reader_.prepare(std::string(kEnvelopeColumns) +
                            "WHERE e.id > ? AND e.route = ? AND e.next_try <= ? AND e.held = 0 ORDER BY e.id LIMIT ?");
  st.bind(1, after_id).bind(2, route_name(route)).bind(3, now).bind(4, int64_t(limit));
  std::vector<Envelope> out;
  while (st.step()) out.push_back(read_envelope(st));
  return out;
}

int64_t QueueStore::last_envelope_id() {
  std::lock_guard<std::mutex> lock(read_mu_);
  // AUTOINCREMENT's high-water mark outlives the rows: a drained queue still says it.
  auto st = reader_.prepare("SELECT max(seq) FROM sqlite_sequence WHERE name = 'envelopes'");
  return st.step() ? st.integer(0) : 0;
}

std::optional<std::string> QueueStore::body(const std::string& message_id) {
  std::lock_guard<std::mutex> lock(read_mu_);
  auto st = reader_.prepare("SELECT body FROM messages WHERE id = ?");
  st.bind(1, message_id);
  if (!st.step()) return std::nullopt;
  return st.text(0);
}

std::vector<Envelope> QueueStore::list() {
  std::lock_guard<std::mutex> lock(read_mu_);
  auto st = reader_.prepare(std::string(kEnvelopeColumns) + "ORDER BY e.message_id, e.id");
  std::vector<Envelope> out;
  while (st.step()) out.push_back(read_envelope(st));
  return out;
}

std::future<void> QueueStore::mark_delivered(const std::vector<int64_t>& ids) {
  return writer_.submit([ids](store::Db& db) {
    auto find = db.prepare("SELECT message_id FROM envelopes WHERE id = ?");
    auto del = db.prepare("DELETE FROM envelopes WHERE id = ?");
    auto drop = db.prepare("DELETE FROM messages WHERE id = ? AND NOT EXISTS (SELECT 1 FROM envelopes WHERE message_id = ?)");
    for (auto id : ids) {
      find.reset();
      find.bind(1, id);
      if (!find.step()) continue;
      std::string mid = find.text(0);
      find.reset();
      del.reset();
      del.bind(1, id).run();
      drop.reset();
      drop.bind(1, mid).bind(2, mid).run();
    }
  });
}

std::vector<Envelope> QueueStore::envelopes_of(const std::string& message_id) {
  std::lock_guard<std::mutex> lock(read_mu_);
  auto st = reader_.prepare(std::string(kEnvelopeColumns) + "WHERE e.message_id = ? ORDER BY e.id");
  st.bind(1, message_id);
  std::vector<Envelope> out;
  while (st.step()) out.push_back(read_envelope(st));
  return out;
}

bool QueueStore::change(const std::string& message_id, Change what) {
  auto changed = std::make_shared<int>(0);
  writer_.submit([=](store::Db& db) {
    const char* sql = what == Change::Retry     ? "UPDATE envelopes SET next_try = 0, held = 0 WHERE message_id = ?"
                      : what == Change::Hold    ? "UPDATE envelopes SET held = 1 WHERE message_id = ?"
                      : what == Change::Release ? "UPDATE envelopes SET held = 0, next_try = 0 WHERE message_id = ?"
                                                : "DELETE FROM envelopes WHERE message_id = ?";
    db.prepare(sql).bind(1, message_id).run();
    *changed = db.changes();
    if (what == Change::Delete) db.prepare("DELETE FROM messages WHERE id = ?").bind(1, message_id).run();
  }).get();
  return *changed > 0;
}

std::future<void> QueueStore::mark_deferred(int64_t id, int64_t next_try, const std::string& error, bool warned) {
  return writer_.submit([=](store::Db& db) {
    db.prepare("UPDATE envelopes SET attempts = attempts + 1, next_try = ?, last_error = ?, warned = MAX(warned, ?) WHERE id = ?")
        .bind(1, next_try).bind(2, error).bind(3, int64_t(warned ? 1 : 0)).bind(4, id).run();
  });
}

}  // namespace postern::queue

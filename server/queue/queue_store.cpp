#include "queue/queue_store.h"

#include <ctime>

#include "util/fs.h"

namespace postern::queue {

namespace {
Route parse_route(const std::string& s) { return s == "local" ? Route::Local : Route::Remote; }

const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY,
  received_at INTEGER NOT NULL,
  sender TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  helo TEXT NOT NULL,
  auth_user TEXT NOT NULL,
  size INTEGER NOT NULL,
  body BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS envelopes (
  id INTEGER PRIMARY KEY,
  message_id TEXT NOT NULL REFERENCES messages(id),
  recipient TEXT NOT NULL,
  original TEXT NOT NULL,
  route TEXT NOT NULL,
  mailbox TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_try INTEGER NOT NULL,
  last_error TEXT NOT NULL DEFAULT '');
CREATE INDEX IF NOT EXISTS envelopes_due ON envelopes(route, next_try);
CREATE INDEX IF NOT EXISTS envelopes_message ON envelopes(message_id);
)sql";

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
  return e;
}

const char* kEnvelopeColumns =
    "SELECT e.id, e.message_id, m.sender, e.recipient, e.route, e.mailbox, e.attempts, e.next_try, m.size, "
    "e.last_error FROM envelopes e JOIN messages m ON m.id = e.message_id ";
}  // namespace

std::string QueueStore::init_schema(const std::string& dir) {
  util::make_dirs(dir, 0700);
  std::string path = dir + "/queue.db";
  store::Db db(path);
  db.exec(kSchema);
  return path;
}

QueueStore::QueueStore(const std::string& queue_dir)
    : path_(init_schema(queue_dir)), writer_(path_), reader_(path_) {}

std::future<void> QueueStore::enqueue(const Message& msg) {
  return writer_.submit([msg](store::Db& db) {
    int64_t now = std::time(nullptr);
    db.prepare("INSERT INTO messages (id, received_at, sender, client_ip, helo, auth_user, size, body) VALUES (?,?,?,?,?,?,?,?)")
        .bind(1, msg.id).bind(2, now).bind(3, msg.sender).bind(4, msg.client_ip).bind(5, msg.helo)
        .bind(6, msg.auth_user).bind(7, int64_t(msg.body.size())).bind_blob(8, msg.body).run();
    auto ins = db.prepare("INSERT INTO envelopes (message_id, recipient, original, route, mailbox, next_try) VALUES (?,?,?,?,?,?)");
    for (const auto& r : msg.recipients) {
      ins.reset();
      ins.bind(1, msg.id).bind(2, r.address).bind(3, r.original).bind(4, route_name(r.route)).bind(5, r.mailbox).bind(6, now);
      ins.run();
    }
  });
}

std::vector<Envelope> QueueStore::due(Route route, int64_t now, size_t limit) {
  std::lock_guard<std::mutex> lock(read_mu_);
  auto st = reader_.prepare(std::string(kEnvelopeColumns) + "WHERE e.route = ? AND e.next_try <= ? ORDER BY e.next_try, e.id LIMIT ?");
  st.bind(1, route_name(route)).bind(2, now).bind(3, int64_t(limit));
  std::vector<Envelope> out;
  while (st.step()) out.push_back(read_envelope(st));
  return out;
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

std::future<void> QueueStore::mark_deferred(int64_t id, int64_t next_try, const std::string& error) {
  return writer_.submit([=](store::Db& db) {
    db.prepare("UPDATE envelopes SET attempts = attempts + 1, next_try = ?, last_error = ? WHERE id = ?")
        .bind(1, next_try).bind(2, error).bind(3, id).run();
  });
}

}  // namespace postern::queue

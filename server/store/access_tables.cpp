#include "store/access_tables.h"

#include <ctime>

#include "store/schema.h"

namespace postern::store {

AccessTables::AccessTables(const std::string& db_path) : db_(db_path) { migrate_main_db(db_); }

void AccessTables::bump() { db_.exec("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'access_serial'"); }

int64_t AccessTables::add_rule(const AccessRow& row) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  auto dup = db_.prepare("SELECT id FROM access_rules WHERE list = ? AND type = ? AND value = ?");
  dup.bind(1, row.list).bind(2, row.type).bind(3, row.value);
  if (dup.step())
    throw Refused(row.list + "list already has " + row.type + " " + row.value + " (id " + std::to_string(dup.integer(0)) + ")");
  db_.prepare("INSERT INTO access_rules (list, type, value, action, created_at) VALUES (?, ?, ?, ?, ?)")
      .bind(1, row.list).bind(2, row.type).bind(3, row.value).bind(4, row.action)
      .bind(5, int64_t(std::time(nullptr))).run();
  int64_t id = db_.last_insert_rowid();
  bump();
  tx.commit();
  return id;
}

void AccessTables::remove_rule(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  db_.prepare("DELETE FROM access_rules WHERE id = ?").bind(1, id).run();
  if (db_.changes() == 0) throw Refused("access rule " + std::to_string(id) + " does not exist");
  bump();
  tx.commit();
}

std::vector<AccessRow> AccessTables::rules() {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<AccessRow> out;
  auto st = db_.prepare("SELECT id, list, type, value, action, created_at FROM access_rules ORDER BY id");
  while (st.step()) out.push_back({st.integer(0), st.text(1), st.text(2), st.text(3), st.text(4), st.integer(5)});
  return out;
}

long long AccessTables::serial() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'access_serial'");
  return st.step() ? st.integer(0) : 0;
}

void AccessTables::block(const ClientBlock& b) {
  std::lock_guard<std::mutex> lock(mu_);
  db_.prepare("INSERT INTO client_blocks (ip, reason, created_at, expires_at) VALUES (?, ?, ?, ?) "
              "ON CONFLICT(ip) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at, "
              "expires_at = excluded.expires_at")
      .bind(1, b.ip).bind(2, b.reason).bind(3, b.created_at ? b.created_at : int64_t(std::time(nullptr)))
      .bind(4, b.expires_at).run();
}

void AccessTables::lift(const std::string& ip) {
  std::lock_guard<std::mutex> lock(mu_);
  db_.prepare("DELETE FROM client_blocks WHERE ip = ?").bind(1, ip).run();
  if (db_.changes() == 0) throw Refused("no block for " + ip);
}

std::vector<ClientBlock> AccessTables::blocks(int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  db_.prepare("DELETE FROM client_blocks WHERE expires_at != 0 AND expires_at <= ?").bind(1, now).run();
  std::vector<ClientBlock> out;
  auto st = db_.prepare("SELECT ip, reason, created_at, expires_at FROM client_blocks ORDER BY created_at, ip");
  while (st.step()) out.push_back({st.text(0), st.text(1), st.integer(2), st.integer(3)});
  return out;
}

std::optional<ClientBlock> AccessTables::active_block(const std::string& ip, int64_t now) {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare("SELECT ip, reason, created_at, expires_at FROM client_blocks WHERE ip = ? AND (expires_at = 0 OR expires_at > ?)");
  st.bind(1, ip).bind(2, now);
  if (!st.step()) return std::nullopt;
  return ClientBlock{st.text(0), st.text(1), st.integer(2), st.integer(3)};
}

}  // namespace postern::store

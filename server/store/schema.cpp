#include "store/schema.h"

#include <string>
#include <vector>

namespace postern::store {

namespace {
// Append only: never edit a migration that has shipped.
const std::vector<const char*> migrations = {
    // 1: accounts and settings
    R"sql(
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    INSERT INTO meta VALUES ('settings_serial', '0');
    CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE domains (name TEXT PRIMARY KEY, created_at INTEGER NOT NULL);
    CREATE TABLE users (
      address TEXT PRIMARY KEY,
      domain TEXT NOT NULL REFERENCES domains(name),
      password_hash TEXT NOT NULL,
      created_at INTEGER NOT NULL);
    CREATE INDEX users_domain ON users(domain);
    CREATE TABLE aliases (
      address TEXT PRIMARY KEY,
      domain TEXT NOT NULL REFERENCES domains(name),
      targets TEXT NOT NULL);
    CREATE INDEX aliases_domain ON aliases(domain);
    CREATE TABLE admin (id INTEGER PRIMARY KEY CHECK (id = 1), password_hash TEXT NOT NULL);
    )sql",
    // 2: relay control and outbound routing tables (RLY-1, RLY-2, DLV-3, DLV-4). Outbound
    // passwords must be usable, so they are stored as given; the database file is 0600.
    R"sql(
    CREATE TABLE trusted_networks (name TEXT PRIMARY KEY, networks TEXT NOT NULL);
    CREATE TABLE relay_domains (domain TEXT PRIMARY KEY, next_hop TEXT NOT NULL DEFAULT '');
    CREATE TABLE relay_rules (
      name TEXT PRIMARY KEY,
      position INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('recipient', 'sender')),
      patterns TEXT NOT NULL,
      host TEXT NOT NULL,
      port INTEGER NOT NULL,
      tls TEXT NOT NULL,
      verify INTEGER NOT NULL,
      username TEXT NOT NULL DEFAULT '',
      password TEXT NOT NULL DEFAULT '');
    CREATE TABLE host_credentials (host TEXT PRIMARY KEY, username TEXT NOT NULL, password TEXT NOT NULL);
    )sql",
    // 3: black and white lists (SEC-1) and client blocks (SEC-5, ACC-2, ACC-3). The serial
    // tells a running daemon that its cached copy of the lists is stale.
    R"sql(
    CREATE TABLE access_rules (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      list TEXT NOT NULL CHECK (list IN ('black', 'white')),
      type TEXT NOT NULL CHECK (type IN ('ip', 'cidr', 'sender', 'recipient', 'domain')),
      value TEXT NOT NULL,
      action TEXT NOT NULL DEFAULT 'reject' CHECK (action IN ('reject', 'discard')),
      created_at INTEGER NOT NULL,
      UNIQUE (list, type, value));
    CREATE TABLE client_blocks (
      ip TEXT PRIMARY KEY,
      reason TEXT NOT NULL,
      created_at INTEGER NOT NULL,
      expires_at INTEGER NOT NULL);
    INSERT INTO meta VALUES ('access_serial', '0');
    )sql",
};
}  // namespace

int migrate_main_db(Db& db) {
  auto version_of = [&] {
    auto st = db.prepare("PRAGMA user_version");
    st.step();
    return int(st.integer(0));
  };
  int version = version_of();
  if (version > int(migrations.size()))
    throw DbError("database schema version " + std::to_string(version) + " is newer than this program (" +
                  std::to_string(migrations.size()) + "); refusing to downgrade");
  while (version < int(migrations.size())) {
    Transaction tx(db);
    if (version_of() != version) {  // another process migrated meanwhile
      version = version_of();
      continue;
    }
    db.exec(migrations[size_t(version)]);
    ++version;
    db.exec("PRAGMA user_version = " + std::to_string(version));
    tx.commit();
  }
  return version;
}

}  // namespace postern::store

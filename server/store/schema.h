// Versioned schema of DIR/postern.db (settings, domains, users, aliases, admin, relay
// tables, black/white lists and client blocks).
// Migrations run in order inside one transaction each; PRAGMA user_version records the
// last applied one, so an upgrade from any older version is the same code path.
#pragma once
#include "store/sqlite.h"

namespace postern::store {

// Applies pending migrations. Returns the schema version now in force. Throws DbError when
// the database is newer than this program (a downgrade) rather than guessing.
int migrate_main_db(Db& db);

}  // namespace postern::store

#include "store/settings_store.h"

#include "store/schema.h"

namespace postern::store {

SettingsStore::SettingsStore(const std::string& db_path) : db_(db_path) { migrate_main_db(db_); }

std::map<std::string, std::string> SettingsStore::load() {
  std::lock_guard<std::mutex> lock(mu_);
  std::map<std::string, std::string> out;
  auto st = db_.prepare("SELECT key, value FROM settings");
  while (st.step()) out[st.text(0)] = st.text(1);
  return out;
}

long long SettingsStore::serial() {
  std::lock_guard<std::mutex> lock(mu_);
  auto st = db_.prepare("SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'settings_serial'");
  return st.step() ? st.integer(0) : 0;
}

void SettingsStore::apply(const std::map<std::string, std::string>& changes,
                          const std::map<std::string, std::string>& defaults) {
  std::lock_guard<std::mutex> lock(mu_);
  Transaction tx(db_);
  for (const auto& [key, value] : changes) {
    auto def = defaults.find(key);
    if (def != defaults.end() && def->second == value) {
      db_.prepare("DELETE FROM settings WHERE key = ?").bind(1, key).run();
    } else {
      db_.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
          .bind(1, key).bind(2, value).run();
    }
  }
  db_.exec("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'settings_serial'");
  tx.commit();
}

}  // namespace postern::store

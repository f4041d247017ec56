// Stored setting overrides (only values that differ from the registry default are kept)
// and a serial number bumped by every change, which the running daemon polls to reload.
// Validation is the caller's job (config::normalize / check_consistency) — this layer
// only persists what has already been accepted.
#pragma once
#include <map>
#include <mutex>
#include <string>

#include "store/sqlite.h"

namespace postern::store {

class SettingsStore {
 public:
  explicit SettingsStore(const std::string& db_path);

  std::map<std::string, std::string> load();
  long long serial();
  // Writes all `changes` in one transaction (empty value with `reset` = back to default).
  void apply(const std::map<std::string, std::string>& changes, const std::map<std::string, std::string>& defaults);

 private:
  std::mutex mu_;
  Db db_;
};

}  // namespace postern::store

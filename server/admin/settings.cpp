// Admin facade: settings, validated as a whole and stored in one transaction.
#include "admin/admin.h"
#include "config/registry.h"
#include "config/snapshot.h"

namespace postern::admin {

namespace {
std::map<std::string, std::string> defaults() {
  std::map<std::string, std::string> out;
  for (const auto& s : config::all_settings()) out[s.key] = s.default_value;
  return out;
}

}  // namespace

Admin::Admin(store::SettingsStore& settings, store::Directory& directory, store::RelayTables& relay,
             queue::QueueStore& queue, Paths paths, Hooks hooks, SecurityStores security)
    : settings_(settings), directory_(directory), relay_(relay), queue_(queue), paths_(std::move(paths)),
      hooks_(std::move(hooks)), security_(security) {}

std::map<std::string, std::string> Admin::settings() { return config::Snapshot(settings_.load()).values(); }

std::map<std::string, std::string> Admin::set_settings(const std::map<std::string, std::string>& raw) {
  auto changes = settings_changes(raw, settings());
  settings_.apply(changes, defaults());
  return changes;
}

nlohmann::json Admin::settings_schema() {
  auto arr = nlohmann::json::array();
  for (const auto& s : config::all_settings()) {
    nlohmann::json j{{"key", s.key}, {"type", config::type_name(s.type)},
                     {"default", config::displayed_value(s, s.default_value)}, {"doc", s.doc}};
    if (s.type == config::Type::Int || s.type == config::Type::Duration) {
      j["min"] = s.min;
      j["max"] = s.max;
    }
    if (s.type == config::Type::Text || s.type == config::Type::Secret) j["max_length"] = s.max;
    if (s.type == config::Type::Enum) j["choices"] = s.choices;
    if (s.type == config::Type::Secret) j["secret"] = true;
    arr.push_back(j);
  }
  return arr;
}

}  // namespace postern::admin

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

// check_consistency messages start with the setting they are about ("KEY: ..." or
// "KEY and OTHER must ..."); the API names it as the field.
std::string field_of(const std::string& message) {
  auto end = message.find_first_of(": ");
  auto key = message.substr(0, end);
  return config::find_setting(key) ? key : "";
}
}  // namespace

Admin::Admin(store::SettingsStore& settings, store::Directory& directory, store::RelayTables& relay,
             queue::QueueStore& queue, Paths paths, Hooks hooks, SecurityStores security)
    : settings_(settings), directory_(directory), relay_(relay), queue_(queue), paths_(std::move(paths)),
      hooks_(std::move(hooks)), security_(security) {}

std::map<std::string, std::string> Admin::settings() { return config::Snapshot(settings_.load()).values(); }

std::map<std::string, std::string> Admin::set_settings(const std::map<std::string, std::string>& raw) {
  if (raw.empty()) throw Invalid("", "no settings given");
  std::map<std::string, std::string> changes;
  for (const auto& [key, value] : raw) {
    const auto* s = config::find_setting(key);
    if (!s) throw Invalid(key, "unknown setting '" + key + "'");
    std::string error;
    auto normalized = config::normalize(*s, value, error);
    if (!normalized) throw Invalid(key, error);
    changes[key] = *normalized;
  }
  auto effective = settings();
  for (const auto& [k, v] : changes) effective[k] = v;
  if (auto problem = config::check_consistency(effective)) throw Invalid(field_of(*problem), *problem);
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

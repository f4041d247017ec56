// `postern config`: read and change settings through the registry, all or nothing.
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "config/registry.h"
#include "config/snapshot.h"
#include "daemon/data_dir.h"
#include "store/settings_store.h"

namespace postern::cli {

namespace {
std::map<std::string, std::string> defaults() {
  std::map<std::string, std::string> out;
  for (const auto& s : config::all_settings()) out[s.key] = s.default_value;
  return out;
}

void print_schema() {
  auto arr = nlohmann::json::array();
  for (const auto& s : config::all_settings()) {
    nlohmann::json j{{"key", s.key}, {"type", config::type_name(s.type)}, {"default", config::displayed_value(s, s.default_value)}, {"doc", s.doc}};
    if (s.type == config::Type::Int) {
      j["min"] = s.min;
      j["max"] = s.max;
    }
    if (s.type == config::Type::Text) j["max_length"] = s.max;
    if (s.type == config::Type::Enum) j["choices"] = s.choices;
    arr.push_back(j);
  }
  std::cout << arr.dump(2) << "\n";
}
}  // namespace

int config_command(const Args& args) {
  if (args.words.empty()) return usage_error("config needs list, get, set or schema");
  const auto& sub = args.words[0];
  if (sub == "schema") {
    print_schema();
    return 0;
  }
  daemon::DataDir dir{args.data_dir};
  dir.create();
  store::SettingsStore store(dir.main_db());
  config::Snapshot current(store.load());

  if (sub == "list") {
    if (args.words.size() != 1) return usage_error("config list takes no arguments");
    for (const auto& s : config::all_settings())
      std::cout << s.key << "=" << config::displayed_value(s, current.values().at(s.key)) << "\n";
    return 0;
  }
  if (sub == "get") {
    if (args.words.size() != 2) return usage_error("config get KEY");
    const auto* s = config::find_setting(args.words[1]);
    if (!s) return refused("unknown setting '" + args.words[1] + "'");
    std::cout << config::displayed_value(*s, current.values().at(s->key)) << "\n";
    return 0;
  }
  if (sub == "set") {
    if (args.words.size() < 3 || args.words.size() % 2 == 0) return usage_error("config set KEY VALUE [KEY VALUE ...]");
    std::map<std::string, std::string> changes;
    for (size_t i = 1; i + 1 < args.words.size(); i += 2) {
      const auto* s = config::find_setting(args.words[i]);
      if (!s) return refused("unknown setting '" + args.words[i] + "'");
      std::string error, raw = args.words[i + 1];
      // "-" reads the value from standard input, so a password stays out of `ps` and history.
      if (raw == "-" && !std::getline(std::cin, raw)) raw.clear();
      auto value = config::normalize(*s, raw, error);
      if (!value) return refused(error);
      changes[s->key] = *value;
    }
    auto effective = current.values();
    for (const auto& [k, v] : changes) effective[k] = v;
    if (auto problem = config::check_consistency(effective)) return refused(*problem);
    store.apply(changes, defaults());
    for (const auto& [k, v] : changes) std::cout << k << "=" << config::displayed_value(*config::find_setting(k), v) << "\n";
    return 0;
  }
  return usage_error("unknown config action '" + sub + "'");
}

}  // namespace postern::cli

// `postern config`: read and change settings through the registry, all or nothing.
#include <iostream>

#include "cli/admin_access.h"
#include "cli/cli.h"
#include "config/registry.h"

namespace postern::cli {

int config_command(const Args& args) {
  if (args.words.empty()) return usage_error("config needs list, get, set or schema");
  const auto& sub = args.words[0];
  if (sub == "schema") {
    std::cout << admin::Admin::settings_schema().dump(2) << "\n";
    return 0;
  }
  AdminAccess access(args.data_dir);
  auto current = access.admin.settings();

  if (sub == "list") {
    if (args.words.size() != 1) return usage_error("config list takes no arguments");
    for (const auto& s : config::all_settings())
      std::cout << s.key << "=" << config::displayed_value(s, current.at(s.key)) << "\n";
    return 0;
  }
  if (sub == "get") {
    if (args.words.size() != 2) return usage_error("config get KEY");
    const auto* s = config::find_setting(args.words[1]);
    if (!s) return refused("unknown setting '" + args.words[1] + "'");
    std::cout << config::displayed_value(*s, current.at(s->key)) << "\n";
    return 0;
  }
  if (sub == "set") {
    if (args.words.size() < 3 || args.words.size() % 2 == 0) return usage_error("config set KEY VALUE [KEY VALUE ...]");
    std::map<std::string, std::string> raw;
    for (size_t i = 1; i + 1 < args.words.size(); i += 2) {
      std::string value = args.words[i + 1];
      // "-" reads the value from standard input, so a password stays out of `ps` and history.
      if (value == "-" && !std::getline(std::cin, value)) value.clear();
      raw[args.words[i]] = value;
    }
    for (const auto& [k, v] : access.admin.set_settings(raw))
      std::cout << k << "=" << config::displayed_value(*config::find_setting(k), v) << "\n";
    return 0;
  }
  return usage_error("unknown config action '" + sub + "'");
}

}  // namespace postern::cli

// The settings registry: the single list of every setting with its type, default, bounds
// and documentation (the table lives in registry.cpp). Validation is here too, so the CLI,
// the API and the daemon accept and refuse exactly the same values.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/setting.h"

namespace postern::config {

const std::vector<Setting>& all_settings();
const Setting* find_setting(const std::string& key);

// Checks one value against its setting's type and bounds. On success returns the value in
// canonical form (e.g. "TRUE" -> "true", CIDR host bits cleared); on failure sets `error`
// to a message naming the key and the rule it broke.
std::optional<std::string> normalize(const Setting& s, const std::string& value, std::string& error);

// Durations: "90s", "15m", "4h", "5d", or plain seconds; nullopt when malformed.
std::optional<long long> parse_duration(const std::string& text);
std::string format_duration(long long seconds);

// What `config list/get` and the API may show: secrets are masked.
std::string displayed_value(const Setting& s, const std::string& value);

// Rules that involve several settings (e.g. two services on one port). `values` holds the
// complete effective configuration. Returns the first problem found, or nullopt.
std::optional<std::string> check_consistency(const std::map<std::string, std::string>& values);

}  // namespace postern::config

// What makes a relay-control or routing entry acceptable. Used by every writer (CLI now,
// API later) before anything is stored, so a refused entry never reaches the tables.
// Each function returns an error message naming the field and the rule, or nullopt.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace postern::policy {

// A network that may relay must be narrower than /8 (IPv4) or /16 (IPv6): anything wider
// is an open relay by another name.
std::optional<std::string> validate_relay_networks(const std::string& field, const std::vector<std::string>& cidrs);
std::optional<std::string> validate_pattern(const std::string& pattern);
// "host" or "host:port" (IPv6 in brackets); fills host and port (port 0 when absent).
std::optional<std::string> parse_host_port(const std::string& field, const std::string& text, std::string& host, int& port);
bool pattern_matches(const std::string& pattern, const std::string& address_key);

}  // namespace postern::policy

// Small string helpers shared by every layer. ASCII-only case folding on purpose:
// protocol keywords and domain names are ASCII, and locale-dependent folding is a bug there.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace postern::util {

std::string_view trim(std::string_view s);
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool istarts_with(std::string_view s, std::string_view prefix);
// Splits on `sep`, trims each piece and drops empty pieces.
std::vector<std::string> split_list(std::string_view s, char sep = ',');
std::string join(const std::vector<std::string>& parts, std::string_view sep);
// Parses a base-10 integer covering the whole string; false on junk or overflow.
bool parse_int(std::string_view s, long long& out);

}  // namespace postern::util

// IMAP dates: "date" (1-Feb-1994, search keys) and "date-time" ("17-Jul-1996 02:44:25 -0700",
// INTERNALDATE and APPEND). Pure; parsing returns nullopt on anything malformed.
#pragma once
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace postern::imap {

// Midnight UTC of the day, as seconds since the epoch.
std::optional<std::time_t> parse_date(std::string_view text);
std::optional<std::time_t> parse_date_time(std::string_view text);
// "dd-Mon-yyyy hh:mm:ss +0000" (in UTC).
std::string format_date_time(std::time_t t);

}  // namespace postern::imap

#include "imap/proto/date_time.h"

#include <cstdio>

#include "util/strings.h"

namespace postern::imap {

namespace {

const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

bool digits(std::string_view s, int& out) {
  long long v;
  if (s.empty() || !util::parse_int(s, v) || s[0] == '-' || s[0] == '+') return false;
  out = int(v);
  return true;
}

// Days from 1970-01-01 to the date (proleptic Gregorian).
long long days_from_civil(int y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = unsigned(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097LL + doe - 719468;
}

}  // namespace

std::optional<std::time_t> parse_date(std::string_view text) {
  auto d1 = text.find('-');
  if (d1 == std::string_view::npos) return std::nullopt;
  auto d2 = text.find('-', d1 + 1);
  if (d2 == std::string_view::npos) return std::nullopt;
  int day, year, month = -1;
  if (!digits(util::trim(text.substr(0, d1)), day) || !digits(text.substr(d2 + 1), year)) return std::nullopt;
  auto mon = text.substr(d1 + 1, d2 - d1 - 1);
  for (int i = 0; i < 12; ++i)
    if (util::iequals(mon, kMonths[i])) month = i + 1;
  if (month < 0 || day < 1 || day > 31 || year < 1900 || year > 9999 || text.substr(d2 + 1).size() != 4) return std::nullopt;
  return std::time_t(days_from_civil(year, unsigned(month), unsigned(day)) * 86400);
}

std::optional<std::time_t> parse_date_time(std::string_view text) {
  // "dd-Mon-yyyy hh:mm:ss +zzzz", day may be " d".
  if (text.size() != 26) return std::nullopt;
  auto date = parse_date(text.substr(0, 11));
  if (!date || text[11] != ' ' || text[14] != ':' || text[17] != ':' || text[20] != ' ') return std::nullopt;
  int h, m, s, zh, zm;
  if (!digits(text.substr(12, 2), h) || !digits(text.substr(15, 2), m) || !digits(text.substr(18, 2), s) ||
      !digits(text.substr(22, 2), zh) || !digits(text.substr(24, 2), zm) || (text[21] != '+' && text[21] != '-'))
    return std::nullopt;
  if (h > 23 || m > 59 || s > 60 || zm > 59) return std::nullopt;
  long long zone = (zh * 60 + zm) * 60 * (text[21] == '-' ? -1 : 1);
  return std::time_t(*date + h * 3600 + m * 60 + s - zone);
}

std::string format_date_time(std::time_t t) {
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::snprintf(buf, sizeof buf, "%02d-%s-%04d %02d:%02d:%02d +0000", tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900,
                tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

}  // namespace postern::imap

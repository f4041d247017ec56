// TLS reports on demand (TLS-4): validate the day, then the process's reporter queues them.
#include <ctime>

#include "admin/admin.h"
#include "tlsrpt/recorder.h"

namespace postern::admin {

std::vector<tlsrpt::DomainResult> Admin::send_tls_reports(const std::string& day_in) {
  std::string day = day_in.empty() ? tlsrpt::utc_day(std::time(nullptr) - 86400) : day_in;
  std::tm tm{};
  const char* end = day.size() == 10 ? strptime(day.c_str(), "%Y-%m-%d", &tm) : nullptr;
  if (!end || *end) throw Invalid("date", "'" + day_in + "' is not a date (YYYY-MM-DD)");
  if (!hooks_.send_tls_reports) throw std::runtime_error("TLS reports cannot be sent from here");
  return hooks_.send_tls_reports(day);
}

}  // namespace postern::admin

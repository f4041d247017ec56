// RFC 5322 date-time ("Thu, 26 Nov 2026 14:03:00 +0000") for Received and Date headers.
#pragma once
#include <ctime>
#include <string>

namespace postern::mail {

std::string rfc5322_date(std::time_t t);

}  // namespace postern::mail

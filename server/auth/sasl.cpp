#include "auth/sasl.h"

#include "util/base64.h"

namespace postern::auth {

std::optional<Credentials> decode_plain(std::string_view base64) {
  auto raw = util::base64_decode(base64);
  if (!raw) return std::nullopt;
  auto first = raw->find('\0');
  if (first == std::string::npos) return std::nullopt;
  auto second = raw->find('\0', first + 1);
  if (second == std::string::npos || raw->find('\0', second + 1) != std::string::npos) return std::nullopt;
  Credentials c{raw->substr(0, first), raw->substr(first + 1, second - first - 1), raw->substr(second + 1)};
  if (c.user.empty() || c.password.empty()) return std::nullopt;
  return c;
}

std::optional<std::string> decode_login_step(std::string_view base64) {
  auto raw = util::base64_decode(base64);
  if (!raw || raw->empty() || raw->find('\0') != std::string::npos) return std::nullopt;
  return raw;
}

}  // namespace postern::auth

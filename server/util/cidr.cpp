#include "util/cidr.h"

#include <arpa/inet.h>

#include <cstring>

#include "util/strings.h"

namespace postern::util {

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  std::string s(trim(text));
  if (s.size() > 2 && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  IpAddress a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) return a;
  a.v6 = true;
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a.bytes.data(), mapped, 12) == 0) {
      IpAddress v4;
      std::memcpy(v4.bytes.data(), a.bytes.data() + 12, 4);
      return v4;
    }
    return a;
  }
  return std::nullopt;
}

std::string IpAddress::to_string() const {
  char buf[INET6_ADDRSTRLEN] = {};
  inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
  return buf;
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  text = trim(text);
  auto slash = text.find('/');
  auto addr = IpAddress::parse(text.substr(0, slash));
  if (!addr) return std::nullopt;
  int max = addr->v6 ? 128 : 32;
  long long prefix = max;
  if (slash != std::string_view::npos) {
    if (!parse_int(text.substr(slash + 1), prefix) || prefix < 0 || prefix > max) return std::nullopt;
  }
  Cidr c;
  c.prefix_ = int(prefix);
  c.network_ = *addr;
  // Normalise host bits away so to_string() shows the network the admin meant.
  for (int bit = c.prefix_; bit < max; ++bit) c.network_.bytes[bit / 8] &= ~(0x80 >> (bit % 8));
  return c;
}

bool Cidr::contains(const IpAddress& addr) const {
  if (addr.v6 != network_.v6) return false;
  int full = prefix_ / 8, rest = prefix_ % 8;
  if (std::memcmp(addr.bytes.data(), network_.bytes.data(), full) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = (unsigned char)(0xff << (8 - rest));
  return (addr.bytes[full] & mask) == (network_.bytes[full] & mask);
}

std::string Cidr::to_string() const { return network_.to_string() + "/" + std::to_string(prefix_); }

bool any_contains(const std::vector<Cidr>& nets, const IpAddress& addr) {
  for (const auto& n : nets)
    if (n.contains(addr)) return true;
  return false;
}

}  // namespace postern::util

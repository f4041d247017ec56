// IPv4/IPv6 networks in CIDR notation ("192.168.1.0/24", "::1/128", "10.1.2.3").
// Pure: parsing and matching only, no resolution. An IPv4-mapped IPv6 client address
// (::ffff:a.b.c.d, what a dual-stack socket reports) matches IPv4 networks.
#pragma once
#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::util {

struct IpAddress {
  bool v6 = false;
  std::array<unsigned char, 16> bytes{};  // IPv4 uses the first 4
  static std::optional<IpAddress> parse(std::string_view text);
  std::string to_string() const;
};

class Cidr {
 public:
  // nullopt when the text is not an address with an optional /prefix in range.
  static std::optional<Cidr> parse(std::string_view text);
  bool contains(const IpAddress& addr) const;
  std::string to_string() const;

 private:
  IpAddress network_;
  int prefix_ = 0;
};

bool any_contains(const std::vector<Cidr>& nets, const IpAddress& addr);

}  // namespace postern::util

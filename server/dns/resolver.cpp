#include "dns/resolver.h"

#include <algorithm>
#include <random>

namespace postern::dns {

const char* status_name(Status s) {
  switch (s) {
    case Status::Ok:
      return "ok";
    case Status::NoData:
      return "nodata";
    case Status::NxDomain:
      return "nxdomain";
    case Status::TempFail:
      return "tempfail";
    case Status::PermFail:
      return "permfail";
  }
  return "?";
}

bool valid_query_name(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  if (name.empty() || name.size() > 253) return false;
  size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    // No backslash: libunbound parses the text form, and an escape would make the name
    // asked differ from the name checked here.
    if (c <= 0x20 || c >= 0x7f || c == '\\') return false;
    if (++label > 63) return false;
  }
  return label > 0;
}

std::string reverse_name(const util::IpAddress& ip) {
  static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  bool v4 = !ip.v6 || std::equal(mapped, mapped + 12, ip.bytes.begin());
  std::string out;
  if (v4) {
    const unsigned char* b = ip.v6 ? ip.bytes.data() + 12 : ip.bytes.data();
    for (int i = 3; i >= 0; --i) out += std::to_string(b[i]) + ".";
    return out + "in-addr.arpa";
  }
  static const char hex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    out += hex[ip.bytes[i] & 0xf];
    out += '.';
    out += hex[ip.bytes[i] >> 4];
    out += '.';
  }
  return out + "ip6.arpa";
}

void shuffle_equal_preference(std::vector<Mx>& records) {
  thread_local std::mt19937 rng{std::random_device{}()};
  for (size_t begin = 0; begin < records.size();) {
    size_t end = begin + 1;
    while (end < records.size() && records[end].preference == records[begin].preference) ++end;
    std::shuffle(records.begin() + begin, records.begin() + end, rng);
    begin = end;
  }
}

}  // namespace postern::dns

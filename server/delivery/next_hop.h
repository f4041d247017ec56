// What the remote agent needs from DNS, as a narrow interface: the daemon adapts the dns
// module to it, tests and other transports can supply their own.
#pragma once
#include <string>
#include <vector>

namespace postern::delivery {

enum class LookupStatus { Ok, NotFound /* NXDOMAIN */, NoData, TempFail };

struct MxHost {
  int preference = 0;
  std::string name;
};

struct MxAnswer {
  LookupStatus status = LookupStatus::TempFail;
  std::vector<MxHost> hosts;  // sorted by preference
  bool secure = false;        // DNSSEC-validated: the MX names are the domain's own word
  std::string detail;         // why a TempFail, for the queue and the log (e.g. a DNSSEC failure)
};

struct AddressAnswer {
  LookupStatus status = LookupStatus::TempFail;
  std::vector<std::string> ips;  // IPv4 and IPv6 text forms
};

class NextHopResolver {
 public:
  virtual ~NextHopResolver() = default;
  virtual MxAnswer mx(const std::string& domain) = 0;
  virtual AddressAnswer addresses(const std::string& host) = 0;
};

}  // namespace postern::delivery

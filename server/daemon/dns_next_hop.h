// Adapts name resolution to delivery::NextHopResolver.
// XXX: addresses come from the system resolver (getaddrinfo) and MX lookups are not
// available until the dns module (libunbound) is wired in; direct delivery defers meanwhile.
#pragma once
#include "delivery/next_hop.h"

namespace postern::daemon {

class DnsNextHop : public delivery::NextHopResolver {
 public:
  delivery::MxAnswer mx(const std::string& domain) override;
  delivery::AddressAnswer addresses(const std::string& host) override;
};

}  // namespace postern::daemon

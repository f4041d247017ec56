// Adapts the dns module to delivery::NextHopResolver: MX answers in preference order with
// equal preferences shuffled (RFC 5321 §5.1), and a host's IPv4 then IPv6 addresses.
// Collaborators: dns::Resolver (the daemon passes its CachingResolver).
// Error contract: outcomes are LookupStatus values; dns PermFail (a malformed name) is
// reported as NotFound, since asking again cannot help. An MxHost with an empty name is a
// null MX (RFC 7505): the domain accepts no mail.
// Threading: as the dns::Resolver given, i.e. any thread.
#pragma once
#include "delivery/next_hop.h"
#include "dns/resolver.h"

namespace postern::daemon {

class DnsNextHop : public delivery::NextHopResolver {
 public:
  explicit DnsNextHop(dns::Resolver& dns) : dns_(dns) {}
  delivery::MxAnswer mx(const std::string& domain) override;
  delivery::AddressAnswer addresses(const std::string& host) override;

 private:
  dns::Resolver& dns_;
};

}  // namespace postern::daemon

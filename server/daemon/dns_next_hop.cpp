#include "daemon/dns_next_hop.h"

#include <netdb.h>
#include <sys/socket.h>

#include "util/cidr.h"

namespace postern::daemon {

delivery::MxAnswer DnsNextHop::mx(const std::string&) { return {delivery::LookupStatus::TempFail, {}}; }

delivery::AddressAnswer DnsNextHop::addresses(const std::string& host) {
  delivery::AddressAnswer out;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc == EAI_NONAME) {
    out.status = delivery::LookupStatus::NotFound;
    return out;
  }
  if (rc != 0) return out;
  for (auto* p = res; p; p = p->ai_next) {
    char buf[NI_MAXHOST];
    if (::getnameinfo(p->ai_addr, p->ai_addrlen, buf, sizeof buf, nullptr, 0, NI_NUMERICHOST) == 0) {
      std::string ip = buf;
      bool dup = false;
      for (const auto& have : out.ips) dup |= have == ip;
      if (!dup) out.ips.push_back(ip);
    }
  }
  ::freeaddrinfo(res);
  out.status = out.ips.empty() ? delivery::LookupStatus::NoData : delivery::LookupStatus::Ok;
  return out;
}

}  // namespace postern::daemon

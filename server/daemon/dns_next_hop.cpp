#include "daemon/dns_next_hop.h"

namespace postern::daemon {

namespace {

delivery::LookupStatus lookup_status(dns::Status s) {
  switch (s) {
    case dns::Status::Ok: return delivery::LookupStatus::Ok;
    case dns::Status::NoData: return delivery::LookupStatus::NoData;
    case dns::Status::NxDomain:
    case dns::Status::PermFail: return delivery::LookupStatus::NotFound;
    case dns::Status::TempFail: break;
  }
  return delivery::LookupStatus::TempFail;
}

}  // namespace

delivery::MxAnswer DnsNextHop::mx(const std::string& domain) {
  auto answer = dns_.mx(domain);
  dns::shuffle_equal_preference(answer.records);
  delivery::MxAnswer out;
  out.status = lookup_status(answer.status);
  out.secure = answer.secure;
  out.detail = answer.detail;
  for (const auto& r : answer.records) out.hosts.push_back({r.preference, r.exchange});
  return out;
}

delivery::AddressAnswer DnsNextHop::addresses(const std::string& host) {
  // IPv4 first: many NAS boxes have no working IPv6 route, and a failed IPv6 connect
  // costs a connect timeout per attempt.
  auto v4 = dns_.a(host);
  auto v6 = dns_.aaaa(host);
  delivery::AddressAnswer out;
  for (const auto* answer : {&v4, &v6})
    for (const auto& ip : answer->records) out.ips.push_back(ip.to_string());
  if (!out.ips.empty())
    out.status = delivery::LookupStatus::Ok;
  else if (v4.status == dns::Status::TempFail || v6.status == dns::Status::TempFail)
    out.status = delivery::LookupStatus::TempFail;
  else if (v4.status == dns::Status::NxDomain || v4.status == dns::Status::PermFail)
    out.status = delivery::LookupStatus::NotFound;
  else
    out.status = delivery::LookupStatus::NoData;
  return out;
}

}  // namespace postern::daemon

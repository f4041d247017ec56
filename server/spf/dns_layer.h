// A libspf2 DNS layer (SPF_dns_server_t) answering from Postern's dns::Resolver, and the
// place where the RFC 7208 processing limits and DNS error rules are enforced, because
// every lookup libspf2 makes passes through here:
//  - CORRECTION(dns-limit): more than 10 DNS-querying terms (include, a, mx, ptr, exists,
//    redirect) is permerror (RFC 7208 §4.6.4). libspf2 counts some and not others.
//  - CORRECTION(void-limit): more than `void_lookup_limit` term lookups answering NXDOMAIN
//    or no records is permerror (§4.6.4; libspf2 has no such limit).
//  - CORRECTION(mx-limit): an MX answer with more than 10 names is permerror (§4.6.4).
//  - CORRECTION(temperror): a DNS failure (timeout, SERVFAIL) of a term's lookup ends the
//    check as temperror (§4.4, §5); libspf2 reports "invalid" or carries on.
//  - CORRECTION(strict-record): each SPF record fetched is parsed by record.h first; a
//    syntax error or two SPF records for one name is permerror (§4.5, §4.6), and libspf2
//    is handed the corrected form (record.h for_libspf2()).
// The first terminal event (temperror/permerror) wins; after it every lookup answers
// TRY_AGAIN so that libspf2 unwinds quickly, and the checker reports the event.
// Collaborators: dns::Resolver, record.h; used only by checker.cpp.
// Error contract: lookups never throw (std::bad_alloc aside); results go into the state.
// Threading: one DnsLayer per check, used by one thread.
#pragma once
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "dns/resolver.h"
#include "spf/checker.h"
#include "spf/record.h"

namespace postern::spf {

class DnsLayer {
 public:
  DnsLayer(dns::Resolver& resolver, int dns_lookup_limit, int void_lookup_limit);
  ~DnsLayer();
  DnsLayer(const DnsLayer&) = delete;
  DnsLayer& operator=(const DnsLayer&) = delete;

  void* server();
  void set_client(const util::IpAddress& ip) { client_ = ip; }  // the SPF_dns_server_t* to give SPF_server_new_dns

  struct Fetched {
    std::string domain;
    Record record;
  };
  const std::vector<Fetched>& records() const { return records_; }
  // The first terminal event, if any: TempError or PermError with its reason.
  std::optional<Result> terminal() const { return terminal_; }
  const std::string& problem() const { return problem_; }
  uint32_t min_ttl() const { return min_ttl_; }

  // The lookup itself (called from the C callback).
  void* lookup(const char* domain, int type);

 private:
  void stop(Result r, std::string why);
  void note_ttl(uint32_t ttl);

  dns::Resolver& resolver_;
  util::IpAddress client_;
  int dns_lookup_limit_, void_lookup_limit_;
  std::string zero_label_;  // CORRECTION(cidr-zero): "pcz<random hex>-", fresh per check
  void* server_;  // SPF_dns_server_t, allocated in the .cpp (libspf2 types stay there)
  bool first_txt_done_ = false;
  int term_lookups_ = 0, void_lookups_ = 0;
  std::set<std::string> mx_hosts_, ptr_names_;  // address lookups of these are not terms
  std::vector<Fetched> records_;
  std::optional<Result> terminal_;
  std::string problem_;
  uint32_t min_ttl_ = 86400;
};

}  // namespace postern::spf

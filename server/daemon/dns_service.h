// The daemon's DNS: libunbound behind a TTL cache, built from the dns.* settings and
// rebuilt (not mutated) when they change, so a lookup in flight keeps the stack it
// started with. Itself a dns::Resolver, so delivery and, later, SPF share one cache.
// Error contract: configure() throws std::runtime_error when the settings cannot be used,
// leaving the previous resolver in force; lookups never throw (TempFail when unconfigured).
// Threading: any thread.
#pragma once
#include <memory>
#include <mutex>
#include <string>

#include "config/snapshot.h"
#include "dns/caching_resolver.h"
#include "dns/unbound_resolver.h"

namespace postern::daemon {

class DnsService : public dns::Resolver {
 public:
  void configure(const config::Snapshot& cfg);
  std::string description();

  dns::MxAnswer mx(std::string_view domain) override;
  dns::AddressAnswer a(std::string_view name) override;
  dns::AddressAnswer aaaa(std::string_view name) override;
  dns::TextAnswer txt(std::string_view name) override;
  dns::TextAnswer ptr(const util::IpAddress& ip) override;

 private:
  struct Stack {
    std::unique_ptr<dns::UnboundResolver> unbound;
    std::unique_ptr<dns::CachingResolver> cache;  // null when the cache is off
    dns::Resolver& top() { return cache ? static_cast<dns::Resolver&>(*cache) : *unbound; }
  };
  std::shared_ptr<Stack> current();

  std::mutex mu_;
  std::shared_ptr<Stack> stack_;
};

}  // namespace postern::daemon

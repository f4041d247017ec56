// A dns::Resolver decorator that remembers answers for their TTL, so delivery retries,
// SPF checks of a busy sender and the MX-then-A sequence do not ask the network again.
// Positive answers live for their TTL (capped by max_ttl); NoData and NxDomain for at most
// negative_ttl (RFC 2308 allows a resolver to cap negative caching); TempFail and PermFail
// are never cached: a failure must not outlive its cause. Entries are bounded in number
// and evicted least recently used first. A hit returns the remaining TTL.
// Collaborators: any Resolver underneath (UnboundResolver in the daemon, fakes in tests);
// libunbound keeps its own cache too, but this one is the one the admin can see and clear.
// Error contract: as resolver.h; the cache adds no outcomes of its own.
// Threading: all calls are safe from any thread. The lock is not held while the inner
// resolver runs, so two threads missing on the same name both ask (harmless, rare).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "dns/resolver.h"

namespace postern::dns {

struct CacheOptions {
  size_t max_entries = 10000;  // 0 turns caching off
  uint32_t max_ttl = 86400;
  uint32_t negative_ttl = 60;  // also used when a negative answer carries no TTL (no SOA)
  // Time source; tests substitute one they can move. Default: steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

// One row of the admin view.
struct CacheEntry {
  std::string type;  // "MX", "A", "AAAA", "TXT", "PTR"
  std::string name;  // the name asked, lower case (the reverse name for PTR)
  Status status = Status::Ok;
  std::vector<std::string> records;  // "10 mx.example.com", "192.0.2.1", TXT text (\DDD escaped)
  bool secure = false;
  uint32_t ttl_left = 0;
};

class CachingResolver final : public Resolver {
 public:
  // `inner` must outlive this object.
  explicit CachingResolver(Resolver& inner, CacheOptions options = {});

  MxAnswer mx(std::string_view domain) override;
  AddressAnswer a(std::string_view name) override;
  AddressAnswer aaaa(std::string_view name) override;
  TextAnswer txt(std::string_view name) override;
  TextAnswer ptr(const util::IpAddress& ip) override;

  void clear();
  // Live entries, most recently used first; expired ones are left out.
  std::vector<CacheEntry> entries() const;
  struct Stats {
    uint64_t hits = 0, misses = 0;
    size_t entries = 0;
  };
  Stats stats() const;

 private:
  using Clock = std::chrono::steady_clock;
  using Value = std::variant<MxAnswer, AddressAnswer, TextAnswer>;
  struct Slot {
    std::string key;  // "TYPE name"
    std::string type;
    std::string name;
    Value value;
    Clock::time_point expires;
  };

  template <typename A, typename Fetch>
  A lookup(const char* type, std::string_view name, Fetch fetch);
  uint32_t keep_seconds(Status status, uint32_t ttl) const;
  Clock::time_point now() const { return options_.clock ? options_.clock() : Clock::now(); }

  Resolver& inner_;
  CacheOptions options_;
  mutable std::mutex mu_;
  std::list<Slot> lru_;  // front: most recently used
  std::unordered_map<std::string, std::list<Slot>::iterator> index_;
  uint64_t hits_ = 0, misses_ = 0;
};

}  // namespace postern::dns

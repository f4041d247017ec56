// Fetched MTA-STS policies (RFC 8461 §5), one per recipient domain, in a small SQLite
// database in the data folder (DIR/mta-sts-cache.db) so they survive restarts: a domain's
// policy protects mail even while its DNS or policy server is unreachable, until max_age
// runs out. synchronous=OFF: losing the newest entry in a crash only costs a refetch.
// Collaborators: store::Db; PolicySource reads and fills it.
// Error contract: get/put never throw for database trouble (a broken cache behaves as an
// empty one: policies are then fetched each time).
// Threading: any thread (one connection behind a mutex).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "mtasts/policy.h"

namespace postern::store {
class Db;
}

namespace postern::mtasts {

class PolicyCache {
 public:
  explicit PolicyCache(std::string path);
  ~PolicyCache();

  struct Entry {
    std::string domain, id;
    Policy policy;
    int64_t fetched = 0, expires = 0;  // unix time
  };

  // The domain's entry if it has not expired at `now`.
  std::optional<Entry> get(const std::string& domain, int64_t now);
  void put(const Entry& e);

 private:
  store::Db& db();
  std::string path_;
  std::mutex mu_;
  std::unique_ptr<store::Db> db_;
};

}  // namespace postern::mtasts

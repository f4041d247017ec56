// SPF-4: verdicts remembered per (client IP, domain) for the smallest TTL their lookups
// carried, in a small SQLite database in the data folder so the daemon and
// `postern spf cache list|clear` see the same cache. synchronous=OFF: a lost or stale
// cache after a crash only costs a few DNS lookups, so no fsync is paid per message.
// Collaborators: store::Db; gate.cpp reads and fills it; the CLI lists and clears it.
// Error contract: get/put never throw for database trouble (a broken cache is logged by
// nobody and simply misses: SPF then asks DNS); list/clear throw store::DbError.
// Threading: any thread (one connection behind a mutex).
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "spf/checker.h"

namespace postern::store {
class Db;
}

namespace postern::spf {

class Cache {
 public:
  explicit Cache(std::string path);
  ~Cache();

  struct Entry {
    std::string ip, domain;
    Result result = Result::None;
    std::string explanation, problem;
    int64_t expires = 0;  // unix time
  };

  std::optional<Entry> get(const std::string& ip, const std::string& domain, int64_t now);
  // Temperror and zero-TTL verdicts are not stored.
  void put(const std::string& ip, const Verdict& v, int64_t now);
  std::vector<Entry> list(int64_t now);
  int clear();

 private:
  store::Db& db();
  std::string path_;
  std::mutex mu_;
  std::unique_ptr<store::Db> db_;
};

}  // namespace postern::spf

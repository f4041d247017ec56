// Counts every policy refusal (reject, defer, discard) by reason since the daemon started,
// for the statistics of the admin API (OPS-5) and the stop log line.
// Threading: any thread; snapshot() returns a consistent copy.
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <string>

namespace postern::policy {

class Stats {
 public:
  void count(const std::string& reason);
  std::map<std::string, uint64_t> snapshot() const;
  // "reason=N reason=N", or "none".
  std::string summary() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, uint64_t> counts_;
};

}  // namespace postern::policy

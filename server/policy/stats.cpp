#include "policy/stats.h"

namespace postern::policy {

void Stats::count(const std::string& reason) {
  std::lock_guard<std::mutex> lock(mu_);
  ++counts_[reason.empty() ? "unspecified" : reason];
}

std::map<std::string, uint64_t> Stats::snapshot() const {
  std::lock_guard<std::mutex> lock(mu_);
  return counts_;
}

std::string Stats::summary() const {
  std::string out;
  for (const auto& [reason, n] : snapshot()) out += (out.empty() ? "" : " ") + reason + "=" + std::to_string(n);
  return out.empty() ? "none" : out;
}

}  // namespace postern::policy

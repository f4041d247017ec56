// The memory all sessions together may hold in message bodies being received. Each
// session's limit (smtp.max_message_size_mb) times smtp.max_connections can be far more than
// a NAS has; past this budget a message is refused with 452 4.3.1 (try again later) rather
// than letting the daemon be killed for memory.
// Threading: any thread.
#pragma once
#include <cstddef>
#include <mutex>

namespace postern::smtp {

class DataBudget {
 public:
  // Reserves `bytes` if the total stays within `limit`; false (nothing reserved) otherwise.
  bool take(size_t bytes, size_t limit) {
    std::lock_guard<std::mutex> lock(mu_);
    if (used_ + bytes > limit) return false;
    used_ += bytes;
    return true;
  }
  void give(size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    used_ -= bytes < used_ ? bytes : used_;
  }

 private:
  std::mutex mu_;
  size_t used_ = 0;
};

}  // namespace postern::smtp

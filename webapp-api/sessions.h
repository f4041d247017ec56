// Admin sessions (random token in an HttpOnly cookie, a CSRF token per session, idle expiry)
// and login throttling per client address.
// Threading: every method is safe from any CivetWeb worker thread (one mutex).
#pragma once
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace postern::webapi {

class Sessions {
 public:
  struct Created {
    std::string token, csrf;
  };
  Created create(long long now);
  // The session's CSRF token when `token` names a live session (and marks it used now).
  std::optional<std::string> touch(const std::string& token, long long now, long long idle_s);
  void remove(const std::string& token);

  // Throttling: seconds the address must still wait (0 = may try now).
  long long lockout_left(const std::string& ip, long long now, long long max_failures, long long window_s);
  void record_failure(const std::string& ip, long long now, long long window_s);
  void record_success(const std::string& ip);

 private:
  struct Session {
    std::string csrf;
    long long last_used = 0;
  };
  static constexpr size_t kMaxSessions = 64;  // oldest go first: an admin panel has few users
  static constexpr size_t kMaxTrackedIps = 4096;
  std::mutex mu_;
  std::map<std::string, Session> sessions_;
  std::map<std::string, std::deque<long long>> failures_;
};

// Constant-time comparison for tokens.
bool same_token(const std::string& a, const std::string& b);

}  // namespace postern::webapi

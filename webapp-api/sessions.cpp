#include "sessions.h"

#include <openssl/crypto.h>

#include "util/random.h"

namespace postern::webapi {

namespace {
std::string random_token() {
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char c : util::random_bytes(32)) {
    out += hex[c >> 4];
    out += hex[c & 15];
  }
  return out;
}
}  // namespace

bool same_token(const std::string& a, const std::string& b) {
  return a.size() == b.size() && !a.empty() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Sessions::Created Sessions::create(long long now) {
  Created c{random_token(), random_token()};
  std::lock_guard<std::mutex> lock(mu_);
  if (sessions_.size() >= kMaxSessions) {
    auto oldest = sessions_.begin();
    for (auto it = sessions_.begin(); it != sessions_.end(); ++it)
      if (it->second.last_used < oldest->second.last_used) oldest = it;
    sessions_.erase(oldest);
  }
  sessions_[c.token] = {c.csrf, now};
  return c;
}

std::optional<std::string> Sessions::touch(const std::string& token, long long now, long long idle_s) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = sessions_.find(token);
  if (it == sessions_.end()) return std::nullopt;
  if (now - it->second.last_used > idle_s) {
    sessions_.erase(it);
    return std::nullopt;
  }
  it->second.last_used = now;
  return it->second.csrf;
}

void Sessions::remove(const std::string& token) {
  std::lock_guard<std::mutex> lock(mu_);
  sessions_.erase(token);
}

long long Sessions::lockout_left(const std::string& ip, long long now, long long max_failures, long long window_s) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = failures_.find(ip);
  if (it == failures_.end()) return 0;
  auto& times = it->second;
  while (!times.empty() && now - times.front() >= window_s) times.pop_front();
  if (times.empty()) {
    failures_.erase(it);
    return 0;
  }
  if (static_cast<long long>(times.size()) < max_failures) return 0;
  // Locked until the oldest failure that still counts leaves the window.
  return times[times.size() - size_t(max_failures)] + window_s - now;
}

void Sessions::record_failure(const std::string& ip, long long now, long long window_s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (failures_.size() >= kMaxTrackedIps && !failures_.count(ip)) {
    for (auto it = failures_.begin(); it != failures_.end();)
      it = (it->second.empty() || now - it->second.back() >= window_s) ? failures_.erase(it) : std::next(it);
  }
  auto& times = failures_[ip];
  times.push_back(now);
  if (times.size() > 1000) times.pop_front();
}

void Sessions::record_success(const std::string& ip) {
  std::lock_guard<std::mutex> lock(mu_);
  failures_.erase(ip);
}

}  // namespace postern::webapi

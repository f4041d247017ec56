#include "util/random.h"

#include <sys/random.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <system_error>

namespace postern::util {

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::getrandom(out.data() + got, n - got, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      throw std::system_error(errno, std::generic_category(), "getrandom");
    }
    got += size_t(r);
  }
  return out;
}

std::string random_password(size_t length) {
  static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const size_t k = sizeof(alphabet) - 1;
  std::string out;
  while (out.size() < length) {
    for (unsigned char b : random_bytes(length)) {
      // Rejection sampling keeps the distribution uniform.
      if (b >= 256 - (256 % k)) continue;
      out += alphabet[b % k];
      if (out.size() == length) break;
    }
  }
  return out;
}

std::string new_queue_id() {
  static const char digits[] = "0123456789BCDFGHJKLMNPQRSTVWXYZ";  // Postfix-like, no vowels
  static std::atomic<unsigned> counter{0};
  using namespace std::chrono;
  auto us = duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
  unsigned long long t = (unsigned long long)us;
  std::string id;
  for (int i = 0; i < 11; ++i) {
    id.insert(id.begin(), digits[t % 31]);
    t /= 31;
  }
  unsigned c = counter.fetch_add(1);
  unsigned r = (unsigned char)random_bytes(1)[0];
  unsigned tail = (c * 256 + r) % (31 * 31 * 31);
  for (int i = 0; i < 3; ++i) {
    id += digits[tail % 31];
    tail /= 31;
  }
  return id;
}

}  // namespace postern::util

#include "dns/caching_resolver.h"

#include <algorithm>
#include <cstdio>

#include "util/strings.h"

namespace postern::dns {

namespace {

std::string normalise(std::string_view name) {
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  return util::to_lower(name);
}

// TXT data is arbitrary bytes; the admin view goes out as JSON, which needs valid text.
std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c > 0x7e || c == '\\') {
      char buf[5];
      std::snprintf(buf, sizeof buf, "\\%03u", unsigned(c));
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out;
}

std::string show(const Mx& m) { return std::to_string(m.preference) + " " + (m.exchange.empty() ? "." : m.exchange); }
std::string show(const util::IpAddress& ip) { return ip.to_string(); }
std::string show(const std::string& s) { return printable(s); }

}  // namespace

CachingResolver::CachingResolver(Resolver& inner, CacheOptions options) : inner_(inner), options_(std::move(options)) {}

uint32_t CachingResolver::keep_seconds(Status status, uint32_t ttl) const {
  switch (status) {
    case Status::Ok:
      return std::min(ttl, options_.max_ttl);
    case Status::NoData:
    case Status::NxDomain:
      return ttl > 0 ? std::min(ttl, options_.negative_ttl) : options_.negative_ttl;
    default:
      return 0;
  }
}

template <typename A, typename Fetch>
A CachingResolver::lookup(const char* type, std::string_view name, Fetch fetch) {
  std::string key = std::string(type) + " " + normalise(name);
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it != index_.end()) {
      auto t = now();
      if (it->second->expires > t) {
        lru_.splice(lru_.begin(), lru_, it->second);
        ++hits_;
        A answer = std::get<A>(it->second->value);
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(it->second->expires - t).count();
        answer.ttl = uint32_t((left + 999) / 1000);
        return answer;
      }
      lru_.erase(it->second);
      index_.erase(it);
    }
    ++misses_;
  }
  A answer = fetch();
  uint32_t keep = keep_seconds(answer.status, answer.ttl);
  if (keep == 0 || options_.max_entries == 0) return answer;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(key);
  if (it != index_.end()) {  // another thread stored it meanwhile: the newer answer wins
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(Slot{key, type, normalise(name), answer, now() + std::chrono::seconds(keep)});
  index_[key] = lru_.begin();
  while (lru_.size() > options_.max_entries) {
    index_.erase(lru_.back().key);
    lru_.pop_back();
  }
  return answer;
}

MxAnswer CachingResolver::mx(std::string_view domain) {
  return lookup<MxAnswer>("MX", domain, [&] { return inner_.mx(domain); });
}

AddressAnswer CachingResolver::a(std::string_view name) {
  return lookup<AddressAnswer>("A", name, [&] { return inner_.a(name); });
}

AddressAnswer CachingResolver::aaaa(std::string_view name) {
  return lookup<AddressAnswer>("AAAA", name, [&] { return inner_.aaaa(name); });
}

TextAnswer CachingResolver::txt(std::string_view name) {
  return lookup<TextAnswer>("TXT", name, [&] { return inner_.txt(name); });
}

TextAnswer CachingResolver::ptr(const util::IpAddress& ip) {
  return lookup<TextAnswer>("PTR", reverse_name(ip), [&] { return inner_.ptr(ip); });
}

void CachingResolver::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  lru_.clear();
  index_.clear();
}

std::vector<CacheEntry> CachingResolver::entries() const {
  std::lock_guard<std::mutex> lock(mu_);
  auto t = now();
  std::vector<CacheEntry> out;
  for (const auto& slot : lru_) {
    if (slot.expires <= t) continue;
    CacheEntry e;
    e.type = slot.type;
    e.name = slot.name;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(slot.expires - t).count();
    e.ttl_left = uint32_t((left + 999) / 1000);
    std::visit(
        [&](const auto& answer) {
          e.status = answer.status;
          e.secure = answer.secure;
          for (const auto& r : answer.records) e.records.push_back(show(r));
        },
        slot.value);
    out.push_back(std::move(e));
  }
  return out;
}

CachingResolver::Stats CachingResolver::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Stats{hits_, misses_, lru_.size()};
}

}  // namespace postern::dns

#include "imap/proto/sequence_set.h"

#include <algorithm>

namespace postern::imap {

namespace {

bool number(std::string_view s, uint32_t& out) {
  if (s == "*") {
    out = 0;
    return true;
  }
  if (s.empty() || s.size() > 10 || s[0] == '0') return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + uint64_t(c - '0');
  }
  if (v > UINT32_MAX) return false;
  out = uint32_t(v);
  return true;
}

}  // namespace

std::optional<SequenceSet> SequenceSet::parse(std::string_view text) {
  SequenceSet set;
  if (text.empty()) return std::nullopt;
  size_t start = 0;
  for (;;) {
    size_t comma = text.find(',', start);
    auto item = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    size_t colon = item.find(':');
    Range r;
    if (colon == std::string_view::npos) {
      if (!number(item, r.lo)) return std::nullopt;
      r.hi = r.lo;
    } else if (!number(item.substr(0, colon), r.lo) || !number(item.substr(colon + 1), r.hi)) {
      return std::nullopt;
    }
    set.ranges_.push_back(r);
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return set;
}

bool SequenceSet::contains(uint32_t n, uint32_t largest) const {
  for (const auto& r : ranges_) {
    uint32_t a = r.lo ? r.lo : largest, b = r.hi ? r.hi : largest;
    if (a > b) std::swap(a, b);
    if (n >= a && n <= b) return true;
  }
  return false;
}

std::vector<uint32_t> SequenceSet::expand(uint32_t largest) const {
  std::vector<uint32_t> out;
  for (const auto& r : ranges_) {
    uint32_t a = r.lo ? r.lo : largest, b = r.hi ? r.hi : largest;
    if (a > b) std::swap(a, b);
    if (a == 0) continue;
    b = std::min(b, largest);
    for (uint32_t n = a; n <= b && n != 0; ++n) out.push_back(n);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

uint32_t SequenceSet::max_number() const {
  uint32_t m = 0;
  for (const auto& r : ranges_) m = std::max({m, r.lo, r.hi});
  return m;
}

}  // namespace postern::imap

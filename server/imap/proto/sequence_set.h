// Sequence sets (RFC 3501 §9 sequence-set): "1:3,7,9:*". '*' is the largest number in use,
// resolved when the set is applied. Pure.
#pragma once
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace postern::imap {

class SequenceSet {
 public:
  // nullopt when malformed (zero, junk, empty member).
  static std::optional<SequenceSet> parse(std::string_view text);

  // Whether `n` is in the set when '*' stands for `largest`.
  bool contains(uint32_t n, uint32_t largest) const;
  // Every number in 1..largest that is in the set, ascending, without duplicates.
  std::vector<uint32_t> expand(uint32_t largest) const;
  // The largest number written in the set ('*' not counted); 0 when there is none.
  uint32_t max_number() const;

 private:
  struct Range {
    uint32_t lo, hi;  // 0 stands for '*'
  };
  std::vector<Range> ranges_;
};

}  // namespace postern::imap

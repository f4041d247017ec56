#include "imap/proto/sequence_set.h"

#include <gtest/gtest.h>

using namespace postern::imap;

TEST(SequenceSet, Expand) {
  struct Case {
    const char* text;
    uint32_t largest;
    std::vector<uint32_t> expected;
  };
  const Case cases[] = {
      {"1", 5, {1}},
      {"1:3", 5, {1, 2, 3}},
      {"3:1", 5, {1, 2, 3}},
      {"4:*", 5, {4, 5}},
      {"*", 5, {5}},
      {"*:4", 5, {4, 5}},
      {"1,3,5", 5, {1, 3, 5}},
      {"1:2,2:3", 5, {1, 2, 3}},
      {"7", 5, {}},
      {"1:*", 0, {}},
  };
  for (const auto& c : cases) {
    auto s = SequenceSet::parse(c.text);
    ASSERT_TRUE(s) << c.text;
    EXPECT_EQ(s->expand(c.largest), c.expected) << c.text;
  }
}

TEST(SequenceSet, UidsBeyondTheLargestMatchTheLast) {
  // RFC 3501 §6.4.8: "UID 5:*" matches the highest UID even when it is below 5.
  auto s = SequenceSet::parse("10:*");
  EXPECT_TRUE(s->contains(7, 7));
  EXPECT_FALSE(s->contains(4, 7));
  EXPECT_EQ(s->max_number(), 10u);
}

TEST(SequenceSet, Rejects) {
  for (const char* bad : {"", "0", "1:", ":2", "1,,2", "a", "1:0", "01", "4294967296", "1 2", "$"})
    EXPECT_FALSE(SequenceSet::parse(bad)) << bad;
}

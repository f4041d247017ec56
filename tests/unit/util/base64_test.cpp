#include "util/base64.h"

#include <gtest/gtest.h>

#include <vector>

using namespace postern::util;

TEST(Base64, RoundTrip) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", std::string("\0user\0pass", 10)}) {
    auto enc = base64_encode(s);
    auto dec = base64_decode(enc);
    ASSERT_TRUE(dec) << enc;
    EXPECT_EQ(*dec, s);
  }
}

TEST(Base64, StrictAboutJunk) {
  EXPECT_FALSE(base64_decode("abc"));       // not a multiple of 4
  EXPECT_FALSE(base64_decode("ab=c"));      // padding in the middle
  EXPECT_FALSE(base64_decode("ab c"));      // whitespace
  EXPECT_FALSE(base64_decode("a*bc"));      // not in the alphabet
  EXPECT_EQ(*base64_decode("dGVzdA=="), "test");
}

#include "util/strings.h"

#include <gtest/gtest.h>

using namespace postern::util;

TEST(Strings, SplitListTrimsAndDropsEmpties) {
  EXPECT_EQ(split_list(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(split_list("").empty());
}

TEST(Strings, CaseHelpersAreAsciiOnly) {
  EXPECT_TRUE(iequals("MaIl", "mail"));
  EXPECT_FALSE(iequals("mail", "mails"));
  EXPECT_EQ(to_lower("ÉCOLE.Example"), "\xc3\x89" "cole.example");  // bytes >= 0x80 untouched
}

TEST(Strings, ParseIntNeedsWholeString) {
  long long n = 0;
  EXPECT_TRUE(parse_int("42", n));
  EXPECT_EQ(n, 42);
  EXPECT_FALSE(parse_int("42x", n));
  EXPECT_FALSE(parse_int("", n));
  EXPECT_FALSE(parse_int("99999999999999999999", n));
}

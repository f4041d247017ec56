#include "mail/address.h"

#include <gtest/gtest.h>

using namespace postern::mail;

TEST(Address, ParsesAndFoldsDomain) {
  auto a = Address::parse("Alice.Smith@Example.COM");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->local, "Alice.Smith");
  EXPECT_EQ(a->domain, "example.com");
  EXPECT_EQ(a->key(), "alice.smith@example.com");
}

TEST(Address, SubAddressBaseKey) {
  EXPECT_EQ(Address::parse("bob+lists@example.com")->base_key(), "bob@example.com");
  EXPECT_EQ(Address::parse("bob@example.com")->base_key(), "bob@example.com");
  EXPECT_EQ(Address::parse("+x@example.com")->base_key(), "+x@example.com");
}

TEST(Address, RejectsInvalid) {
  for (const char* bad : {"", "@example.com", "a@", "a..b@example.com", ".a@example.com", "a.@example.com",
                          "a b@example.com", "a@-example.com", "a@exa_mple.com", "a@example..com", "a@[1.2.3]"})
    EXPECT_FALSE(Address::parse(bad)) << bad;
  EXPECT_FALSE(Address::parse(std::string(65, 'a') + "@example.com"));
}

TEST(Address, QuotedLocalPartsAndLiterals) {
  EXPECT_TRUE(Address::parse("\"john doe\"@example.com"));
  EXPECT_TRUE(Address::parse("x@[192.0.2.1]"));
  EXPECT_TRUE(Address::parse("x@[IPv6:2001:db8::1]"));
  EXPECT_FALSE(Address::parse("\"unterminated@example.com"));
}

TEST(Address, Utf8OnlyWhenAllowed) {
  EXPECT_FALSE(Address::parse("j\xc3\xb6rg@example.com", false));
  EXPECT_TRUE(Address::parse("j\xc3\xb6rg@example.com", true));
  EXPECT_TRUE(Address::parse("x@b\xc3\xbc" "cher.example", true));
}

TEST(Path, NullSourceRouteAndRest) {
  std::string_view rest;
  auto null = parse_path("<> SIZE=10", true, false, rest);
  ASSERT_TRUE(null);
  EXPECT_TRUE(null->empty());
  EXPECT_EQ(rest, " SIZE=10");
  EXPECT_FALSE(parse_path("<>", false, false, rest));
  auto routed = parse_path("<@relay.example,@b.example:user@example.com>", false, false, rest);
  ASSERT_TRUE(routed);
  EXPECT_EQ(routed->str(), "user@example.com");
  EXPECT_FALSE(parse_path("user@example.com", false, false, rest));
  EXPECT_FALSE(parse_path("<user@example.com", false, false, rest));
  auto quoted = parse_path("<\"a>b\"@example.com>", false, false, rest);
  ASSERT_TRUE(quoted);
  EXPECT_EQ(quoted->local, "\"a>b\"");
}

#include "imap/proto/mutf7.h"

#include <gtest/gtest.h>

using namespace postern::imap;

TEST(Mutf7, RoundTrips) {
  const std::pair<const char*, const char*> cases[] = {
      {"INBOX", "INBOX"},
      {"Entw\xC3\xBC" "rfe", "Entw&APw-rfe"},
      {"&", "&-"},
      {"a&b", "a&-b"},
      {"\xE5\x8F\xB0\xE5\x8C\x97", "&U,BTFw-"},
      {"~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
      {"\xF0\x9F\x98\x80", "&2D3eAA-"},
  };
  for (auto [utf8, wire] : cases) {
    EXPECT_EQ(mutf7_encode(utf8).value_or("?"), wire) << wire;
    EXPECT_EQ(mutf7_decode(wire).value_or("?"), utf8) << wire;
  }
}

TEST(Mutf7, RejectsMalformed) {
  for (const char* bad : {"&", "&AGE-" /* 'a' must be itself */, "&Jjo!", "&2D3-" /* lone surrogate */,
                          "caf\xC3\xA9" /* raw 8-bit */, "&AP-" /* leftover bits */})
    EXPECT_FALSE(mutf7_decode(bad)) << bad;
  EXPECT_FALSE(mutf7_encode("\xC3"));
}

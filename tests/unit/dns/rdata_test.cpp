#include "dns/rdata.h"

#include <gtest/gtest.h>

using namespace postern;
namespace rdata = postern::dns::rdata;
using namespace std::string_literals;

namespace {

// Wire form of a name from its labels: length-prefixed, ending in the root label.
std::string wire(std::initializer_list<std::string> labels) {
  std::string out;
  for (const auto& l : labels) out += char(l.size()) + l;
  return out + '\0';
}

std::string u16(int v) { return {char(v >> 8), char(v & 0xff)}; }

struct NameCase {
  std::string wire;
  std::optional<std::string> text;  // nullopt: must be rejected
};

TEST(Rdata, Names) {
  const NameCase cases[] = {
      {wire({"mail", "example", "test"}), "mail.example.test"},
      {wire({}), ""},                       // the root (null MX)
      {wire({"a.b", "\\"}), "a\\.b.\\\\"},  // dots and backslashes inside labels
      {wire({"\x01\xff"}), "\\001\\255"},   // binary bytes
      {"\x04mail"s, std::nullopt},          // no terminating root label
      {"\x05mail\x00"s, std::nullopt},      // label runs past the end
      {"\xc0\x0c"s, std::nullopt},          // compression pointer
      {"\x40xx\x00"s, std::nullopt},        // extended label type
      {""s, std::nullopt},
  };
  for (const auto& c : cases) {
    size_t pos = 0;
    EXPECT_EQ(rdata::name(c.wire, pos), c.text) << testing::PrintToString(c.wire);
    if (c.text) {
      EXPECT_EQ(pos, c.wire.size());
    }
  }
}

TEST(Rdata, NameLongerThan255BytesIsRejected) {
  std::string l63(63, 'a'), l61(61, 'b');
  size_t pos = 0;
  EXPECT_TRUE(rdata::name(wire({l63, l63, l63, l61}), pos));  // exactly 255 bytes
  pos = 0;
  EXPECT_FALSE(rdata::name(wire({l63, l63, l63, l63}), pos));  // 257 bytes
}

TEST(Rdata, Mx) {
  auto m = rdata::mx(u16(10) + wire({"mx", "example", "com"}));
  ASSERT_TRUE(m);
  EXPECT_EQ(m->preference, 10);
  EXPECT_EQ(m->exchange, "mx.example.com");
  auto null_mx = rdata::mx(u16(0) + wire({}));
  ASSERT_TRUE(null_mx);
  EXPECT_EQ(null_mx->exchange, "");
  EXPECT_EQ(rdata::mx(u16(65535) + wire({}))->preference, 65535);
  EXPECT_FALSE(rdata::mx(u16(10)));                          // no exchange
  EXPECT_FALSE(rdata::mx(u16(10) + wire({"mx"}) + "junk"));  // trailing bytes
  EXPECT_FALSE(rdata::mx(u16(10) + "\x09mx\x00"s));          // truncated label
  EXPECT_FALSE(rdata::mx("\x0a"s));
}

TEST(Rdata, Addresses) {
  EXPECT_EQ(rdata::a("\x7f\x00\x00\x01"s)->to_string(), "127.0.0.1");
  EXPECT_FALSE(rdata::a("\x7f\x00\x00"s));
  EXPECT_FALSE(rdata::a("\x7f\x00\x00\x01\x00"s));
  std::string v6(16, '\0');
  v6[15] = 1;
  auto ip = rdata::aaaa(v6);
  ASSERT_TRUE(ip);
  EXPECT_TRUE(ip->v6);
  EXPECT_EQ(ip->to_string(), "::1");
  EXPECT_FALSE(rdata::aaaa(v6.substr(0, 15)));
  EXPECT_FALSE(rdata::aaaa("\x7f\x00\x00\x01"s));
}

TEST(Rdata, TxtConcatenatesTheStringsOfOneRecord) {
  EXPECT_EQ(rdata::txt("\x07v=spf1 \x04-all"s), "v=spf1 -all");  // RFC 7208 §3.3: no separator
  EXPECT_EQ(rdata::txt("\x00"s), "");
  EXPECT_EQ(rdata::txt("\x00\x03#bc"s), "#bc");
  EXPECT_EQ(rdata::txt(char(255) + std::string(255, 'x')), std::string(255, 'x'));
  EXPECT_FALSE(rdata::txt(""s));
  EXPECT_FALSE(rdata::txt("\x05#bc"s));       // length past the end
  EXPECT_FALSE(rdata::txt("\x03#bc\x02z"s));  // second string truncated
}

TEST(Rdata, Ptr) {
  EXPECT_EQ(rdata::ptr(wire({"host", "test"})), "host.test");
  EXPECT_FALSE(rdata::ptr(wire({"host", "test"}) + '\0'));
}

}  // namespace

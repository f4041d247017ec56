#include "dns/rdata.h"

#include <gtest/gtest.h>

using namespace postern;
namespace rdata = postern::dns::rdata;
using namespace std::string_literals;

namespace {

struct NameCase {
  std::string wire;
  std::optional<std::string> text;  // nullopt: must be rejected
};

TEST(Rdata, Names) {
  const NameCase cases[] = {
      {"\x04mail\x07""example\x04test\x00"s, "mail.example.test"},
      {"\x00"s, ""},                                           // the root (null MX)
      {"\x03""a.b\x01\\\x00"s, "a\\.b.\\\\"},                   // dots and backslashes in labels
      {"\x02\x01\xff\x00"s, "\\001\\255"},                      // binary bytes
      {"\x04mail"s, std::nullopt},                              // no terminating root label
      {"\x05mail\x00"s, std::nullopt},                          // label runs past the end
      {"\xc0\x0c"s, std::nullopt},                              // compression pointer
      {"\x40xx\x00"s, std::nullopt},                            // extended label type
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
  std::string label = "\x3f" + std::string(63, 'a');
  std::string ok = label + label + label + "\x3d" + std::string(61, 'b') + '\0';  // 255 bytes
  size_t pos = 0;
  EXPECT_TRUE(rdata::name(ok, pos));
  std::string too_long = label + label + label + label + '\0';  // 257 bytes
  pos = 0;
  EXPECT_FALSE(rdata::name(too_long, pos));
}

TEST(Rdata, Mx) {
  auto m = rdata::mx("\x00\x0a\x02mx\x07""example\x03""com\x00"s);
  ASSERT_TRUE(m);
  EXPECT_EQ(m->preference, 10);
  EXPECT_EQ(m->exchange, "mx.example.com");
  auto null_mx = rdata::mx("\x00\x00\x00"s);
  ASSERT_TRUE(null_mx);
  EXPECT_EQ(null_mx->exchange, "");
  EXPECT_EQ(rdata::mx("\x01\x00\x00"s)->preference, 256);
  EXPECT_FALSE(rdata::mx("\x00\x0a"s));                   // no exchange
  EXPECT_FALSE(rdata::mx("\x00\x0a\x02mx\x00junk"s));     // trailing bytes
  EXPECT_FALSE(rdata::mx("\x00\x0a\x09mx\x00"s));         // truncated label
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
  EXPECT_EQ(rdata::txt("\x00\x03""abc"s), "abc");
  EXPECT_EQ(rdata::txt(std::string(1, '\xff') + std::string(255, 'x')), std::string(255, 'x'));
  EXPECT_FALSE(rdata::txt(""s));
  EXPECT_FALSE(rdata::txt("\x05""abc"s));           // length past the end
  EXPECT_FALSE(rdata::txt("\x03""abc\x02z"s));       // second string truncated
}

TEST(Rdata, Ptr) {
  EXPECT_EQ(rdata::ptr("\x04host\x04test\x00"s), "host.test");
  EXPECT_FALSE(rdata::ptr("\x04host\x04test\x00\x00"s));
}

}  // namespace

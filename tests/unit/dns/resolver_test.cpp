#include "dns/resolver.h"

#include <gtest/gtest.h>

#include "dns/unbound_resolver.h"

using namespace postern;

namespace {

TEST(Resolver, ValidQueryNames) {
  for (const char* good :
       {"example.test", "example.test.", "_dmarc.example.test", "a", "x-1.example", "sel._domainkey.example.test"})
    EXPECT_TRUE(dns::valid_query_name(good)) << good;
  std::string label64(64, 'a'), long_name;
  while (long_name.size() < 254) long_name += "abcdefghi.";
  for (std::string bad : {"", ".", "a..b", ".a", "a b", "a\\.b", "caf\xc3\xa9.test", "a\nb"})
    EXPECT_FALSE(dns::valid_query_name(bad)) << bad;
  EXPECT_FALSE(dns::valid_query_name(label64 + ".test"));
  EXPECT_TRUE(dns::valid_query_name(std::string(63, 'a') + ".test"));
  EXPECT_FALSE(dns::valid_query_name(long_name + "x"));
}

TEST(Resolver, ReverseNames) {
  EXPECT_EQ(dns::reverse_name(*util::IpAddress::parse("192.0.2.1")), "1.2.0.192.in-addr.arpa");
  EXPECT_EQ(dns::reverse_name(*util::IpAddress::parse("::ffff:192.0.2.1")), "1.2.0.192.in-addr.arpa");
  EXPECT_EQ(dns::reverse_name(*util::IpAddress::parse("2001:db8::567:89ab")),
            "b.a.9.8.7.6.5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
  util::IpAddress mapped;  // mapped form built by hand: parse() already folds it to IPv4
  mapped.v6 = true;
  mapped.bytes = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 7};
  EXPECT_EQ(dns::reverse_name(mapped), "7.0.0.10.in-addr.arpa");
}

TEST(Resolver, ShuffleStaysWithinEqualPreference) {
  std::vector<dns::Mx> mx = {{10, "a"}, {10, "b"}, {10, "c"}, {20, "d"}, {30, "e"}, {30, "f"}};
  bool moved = false;
  for (int i = 0; i < 50; ++i) {
    auto copy = mx;
    dns::shuffle_equal_preference(copy);
    ASSERT_EQ(copy.size(), mx.size());
    for (size_t j = 0; j < copy.size(); ++j) EXPECT_EQ(copy[j].preference, mx[j].preference);
    EXPECT_EQ(copy[3].exchange, "d");
    moved |= copy[0].exchange != "a";
  }
  EXPECT_TRUE(moved);
}

TEST(Resolver, ParseNameservers) {
  std::string error;
  auto ok = dns::parse_nameservers(" 192.0.2.1, 127.0.0.1:5353,::1,[::1]:53,[2001:db8::1] ", error);
  ASSERT_TRUE(ok) << error;
  EXPECT_EQ(*ok, (std::vector<std::string>{"192.0.2.1", "127.0.0.1@5353", "::1", "::1@53", "2001:db8::1"}));
  EXPECT_TRUE(dns::parse_nameservers("", error)->empty());
  for (const char* bad : {"dns.example", "127.0.0.1:0", "127.0.0.1:65536", "127.0.0.1:x", "[::1", "[::1]53",
                          "[::1]:", "1.2.3.4:53:1", "[127.0.0.1]x"}) {
    error.clear();
    EXPECT_FALSE(dns::parse_nameservers(bad, error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

}  // namespace

#include "util/cidr.h"

#include <gtest/gtest.h>

using postern::util::Cidr;
using postern::util::IpAddress;

TEST(Cidr, MatchesIpv4Networks) {
  auto net = Cidr::parse("192.168.1.0/24");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains(*IpAddress::parse("192.168.1.77")));
  EXPECT_FALSE(net->contains(*IpAddress::parse("192.168.2.1")));
  EXPECT_EQ(net->to_string(), "192.168.1.0/24");
}

TEST(Cidr, ClearsHostBitsAndHandlesOddPrefixes) {
  auto net = Cidr::parse("10.1.2.3/15");
  ASSERT_TRUE(net);
  EXPECT_EQ(net->to_string(), "10.0.0.0/15");
  EXPECT_TRUE(net->contains(*IpAddress::parse("10.1.255.255")));
  EXPECT_FALSE(net->contains(*IpAddress::parse("10.2.0.0")));
}

TEST(Cidr, SingleHostWithoutPrefix) {
  auto net = Cidr::parse("127.0.0.2");
  ASSERT_TRUE(net);
  EXPECT_TRUE(net->contains(*IpAddress::parse("127.0.0.2")));
  EXPECT_FALSE(net->contains(*IpAddress::parse("127.0.0.3")));
}

TEST(Cidr, Ipv6AndMappedIpv4) {
  auto v6 = Cidr::parse("fd00::/8");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*IpAddress::parse("fd12:3456::1")));
  EXPECT_FALSE(v6->contains(*IpAddress::parse("fe80::1")));
  // A dual-stack socket reports IPv4 clients as ::ffff:a.b.c.d; they must match IPv4 rules.
  auto lan = Cidr::parse("192.168.0.0/16");
  EXPECT_TRUE(lan->contains(*IpAddress::parse("::ffff:192.168.3.4")));
  EXPECT_FALSE(v6->contains(*IpAddress::parse("192.168.3.4")));
}

TEST(Cidr, RejectsJunk) {
  for (const char* bad : {"", "300.1.1.1", "10.0.0.0/33", "::1/129", "10.0.0.0/-1", "10.0.0.0/x", "example.com"})
    EXPECT_FALSE(Cidr::parse(bad)) << bad;
}

#include "policy/anvil.h"

#include <gtest/gtest.h>

using namespace postern::policy;

TEST(Anvil, ConcurrentConnectionsJustUnderAndOver) {
  int64_t now = 1000;
  Anvil a([&] { return now; });
  AnvilLimits l;
  l.concurrent = 2;
  EXPECT_TRUE(a.connect("192.0.2.1", l).ok());
  EXPECT_TRUE(a.connect("192.0.2.1", l).ok());
  auto third = a.connect("192.0.2.1", l);
  EXPECT_EQ(third.refusal, Anvil::Refusal::Concurrency);
  EXPECT_TRUE(a.connect("192.0.2.2", l).ok());  // per client
  a.disconnect("192.0.2.1");
  EXPECT_TRUE(a.connect("192.0.2.1", l).ok());
  EXPECT_EQ(a.open_connections("192.0.2.1"), 2);
}

TEST(Anvil, ConnectionRateBlocksUntilTheWindowEnds) {
  int64_t now = 1000;
  Anvil a([&] { return now; });
  AnvilLimits l;
  l.connections_per_min = 3;
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(a.connect("c", l).ok());
    a.disconnect("c");
    now += 10;
  }
  auto over = a.connect("c", l);
  EXPECT_EQ(over.refusal, Anvil::Refusal::ConnectionRate);
  EXPECT_EQ(over.until, 1060);
  now = 1059;
  EXPECT_FALSE(a.connect("c", l).ok());
  now = 1060;
  EXPECT_TRUE(a.connect("c", l).ok());
}

TEST(Anvil, MessageRate) {
  int64_t now = 0;
  Anvil a([&] { return now; });
  AnvilLimits l;
  l.messages_per_min = 2;
  EXPECT_TRUE(a.message("c", l).ok());
  EXPECT_TRUE(a.message("c", l).ok());
  EXPECT_EQ(a.message("c", l).refusal, Anvil::Refusal::MessageRate);
  EXPECT_TRUE(a.message("other", l).ok());
  now = 60;
  EXPECT_TRUE(a.message("c", l).ok());
  AnvilLimits off;
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(a.message("d", off).ok());
}

TEST(Anvil, UnknownRecipientsCountPerDay) {
  Anvil a([] { return 0; });
  EXPECT_EQ(a.unknown_recipient("c", 2026001), 1);
  EXPECT_EQ(a.unknown_recipient("c", 2026001), 2);
  EXPECT_EQ(a.unknown_recipient("c", 2026002), 1);  // a new day starts again
}

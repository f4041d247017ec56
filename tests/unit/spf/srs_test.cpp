#include "spf/srs.h"

#include <gtest/gtest.h>

using postern::spf::Srs;

namespace {
const int64_t kNow = 1764000000;  // a fixed day
}

TEST(Srs, ForwardThenReverseGivesTheOriginalSender) {
  Srs srs("0123456789abcdef0123456789abcdef");
  auto rewritten = srs.forward("Jane.Doe@Outside.example", "example.test", kNow);
  EXPECT_EQ(rewritten.rfind("SRS0=", 0), 0u) << rewritten;
  EXPECT_EQ(rewritten.substr(rewritten.size() - 13), "@example.test");
  EXPECT_EQ(srs.reverse(rewritten, kNow + 86400).value_or(""), "Jane.Doe@Outside.example");
  // Some MTAs lowercase the address on the way back.
  std::string lowered;
  for (char c : rewritten) lowered += char(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(srs.reverse(lowered, kNow).value_or(""), "jane.doe@outside.example");
}

TEST(Srs, ForgedOrForeignOrExpiredAddressesAreRefused) {
  Srs srs("0123456789abcdef0123456789abcdef"), other("another secret of enough length!");
  auto rewritten = srs.forward("a@outside.example", "example.test", kNow);
  EXPECT_FALSE(other.reverse(rewritten, kNow));
  auto forged = rewritten;
  forged.replace(forged.find("outside"), 7, "victims");
  EXPECT_FALSE(srs.reverse(forged, kNow));
  EXPECT_TRUE(srs.reverse(rewritten, kNow + Srs::kMaxAgeDays * 86400));
  EXPECT_FALSE(srs.reverse(rewritten, kNow + (Srs::kMaxAgeDays + 1) * 86400));
  EXPECT_FALSE(srs.reverse("SRS0=abc@example.test", kNow));
  EXPECT_FALSE(srs.reverse("alice@example.test", kNow));
}

TEST(Srs, NullSenderAndSrsSenderAreLeftAlone) {
  Srs srs("0123456789abcdef0123456789abcdef");
  EXPECT_EQ(srs.forward("", "example.test", kNow), "");
  EXPECT_EQ(srs.forward("SRS0=x=y=z=w@other.example", "example.test", kNow), "SRS0=x=y=z=w@other.example");
}

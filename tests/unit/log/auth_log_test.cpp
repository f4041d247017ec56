#include "log/auth_log.h"

#include <gtest/gtest.h>

#include <vector>

using namespace postern::log;

TEST(AuthLog, FieldsRoundTripThroughEncoding) {
  for (const std::string& v : std::vector<std::string>{"alice@example.test", "a b=c%d", std::string("x\ny\0z", 5), "é", ""})
    EXPECT_EQ(decode_field(encode_field(v)), v);
  EXPECT_EQ(encode_field("a b"), "a%20b");
  EXPECT_EQ(encode_field(""), "-");
}

TEST(AuthLog, ParsesItsOwnLines) {
  auto f = parse_auth_failure(
      "2026-11-26T14:03:00.123Z S1 auth-failure protocol=smtp session=S1 ip=192.0.2.7 login=alice@example.test "
      "account=alice@example.test mechanism=PLAIN reason=bad-credentials");
  ASSERT_TRUE(f);
  EXPECT_EQ(f->time, "2026-11-26T14:03:00.123Z");
  EXPECT_EQ(f->protocol, "smtp");
  EXPECT_EQ(f->session, "S1");
  EXPECT_EQ(f->ip, "192.0.2.7");
  EXPECT_EQ(f->login, "alice@example.test");
  EXPECT_EQ(f->account, "alice@example.test");
  auto none = parse_auth_failure("t S2 auth-failure protocol=imap session=S2 ip=::1 login=a%20b%3Dc account=none");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->login, "a b=c");
  EXPECT_EQ(none->account, "");
  EXPECT_FALSE(parse_auth_failure("t S1 authenticated user=alice@example.test mechanism=PLAIN"));
  EXPECT_FALSE(parse_auth_failure("t S1 auth-failure protocol=smtp ip=1.2.3.4"));  // fields missing
  EXPECT_FALSE(parse_auth_failure(""));
}

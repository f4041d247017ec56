#include "auth/sasl.h"

#include <gtest/gtest.h>

#include "util/base64.h"

using namespace postern;

TEST(Sasl, PlainDecodes) {
  auto c = auth::decode_plain(util::base64_encode(std::string("\0alice@example.test\0pw pw", 25)));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->authzid, "");
  EXPECT_EQ(c->user, "alice@example.test");
  EXPECT_EQ(c->password, "pw pw");
}

TEST(Sasl, PlainRejectsMalformed) {
  EXPECT_FALSE(auth::decode_plain("not base64!"));
  EXPECT_FALSE(auth::decode_plain(util::base64_encode("no separators")));
  EXPECT_FALSE(auth::decode_plain(util::base64_encode(std::string("\0user\0", 6))));       // empty password
  EXPECT_FALSE(auth::decode_plain(util::base64_encode(std::string("\0u\0p\0extra", 10))));  // three NULs
}

TEST(Sasl, LoginStep) {
  EXPECT_EQ(*auth::decode_login_step(util::base64_encode("bob")), "bob");
  EXPECT_FALSE(auth::decode_login_step(""));
  EXPECT_FALSE(auth::decode_login_step("@@@@"));
}

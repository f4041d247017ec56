#include "auth/password.h"

#include <gtest/gtest.h>

using namespace postern::auth;

TEST(Password, Argon2idRoundTrip) {
  auto h = hash_password("correct horse");
  EXPECT_EQ(h.rfind("$argon2id$", 0), 0u);
  EXPECT_EQ(h.find("correct"), std::string::npos);
  EXPECT_TRUE(verify_password(h, "correct horse"));
  EXPECT_FALSE(verify_password(h, "correct horse "));
  EXPECT_NE(hash_password("correct horse"), h);  // salted
  EXPECT_FALSE(verify_password("garbage", "x"));
}

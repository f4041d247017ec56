#include "smtp/proto/reply.h"

#include <gtest/gtest.h>

using postern::smtp::Reply;

TEST(Reply, SingleAndMultiLine) {
  EXPECT_EQ(Reply(250, "2.0.0", "Ok").render(), "250 2.0.0 Ok\r\n");
  EXPECT_EQ(Reply(250, "", std::vector<std::string>{"mx.example", "PIPELINING", "SMTPUTF8"}).render(),
            "250-mx.example\r\n250-PIPELINING\r\n250 SMTPUTF8\r\n");
  EXPECT_EQ(Reply(334, "", "").render(), "334 \r\n");
}

#include "smtp/proto/command.h"

#include <gtest/gtest.h>

using namespace postern::smtp;

TEST(Command, VerbsAreCaseInsensitive) {
  auto c = parse_command("mail FROM:<a@b.example>");
  EXPECT_EQ(c.verb, Verb::Mail);
  EXPECT_EQ(c.args, "FROM:<a@b.example>");
  EXPECT_EQ(parse_command("StartTLS").verb, Verb::StartTls);
  EXPECT_EQ(parse_command("XYZZY").verb, Verb::Unknown);
  EXPECT_EQ(parse_command("").verb, Verb::Unknown);
}

TEST(PathCommand, MailWithParameters) {
  ParseError err;
  auto p = parse_path_command("FROM:<a@b.example> SIZE=1000 body=8BITMIME SMTPUTF8", "FROM:", true, true, err);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->address.str(), "a@b.example");
  EXPECT_EQ(p->params.at("SIZE"), "1000");
  EXPECT_EQ(p->params.at("BODY"), "8BITMIME");
  EXPECT_EQ(p->params.at("SMTPUTF8"), "");
}

TEST(PathCommand, ToleratesSpaceAfterColon) {
  ParseError err;
  EXPECT_TRUE(parse_path_command("TO: <a@b.example>", "TO:", false, false, err));
}

TEST(PathCommand, ErrorsCarryCodes) {
  ParseError err;
  EXPECT_FALSE(parse_path_command("<a@b.example>", "FROM:", true, false, err));
  EXPECT_EQ(err.code, 501);
  EXPECT_EQ(err.enhanced, "5.5.4");
  EXPECT_FALSE(parse_path_command("TO:<not an address>", "TO:", false, false, err));
  EXPECT_EQ(err.enhanced, "5.1.3");
  EXPECT_FALSE(parse_path_command("FROM:<a@@b>", "FROM:", true, false, err));
  EXPECT_EQ(err.enhanced, "5.1.7");
  EXPECT_FALSE(parse_path_command("FROM:<a@b.example>SIZE=1", "FROM:", true, false, err));
  EXPECT_FALSE(parse_path_command("FROM:<a@b.example> SIZE=1 SIZE=2", "FROM:", true, false, err));
  EXPECT_FALSE(parse_path_command("FROM:<a@b.example> =x", "FROM:", true, false, err));
  EXPECT_FALSE(parse_path_command("TO:<>", "TO:", false, false, err));
}

TEST(PathCommand, Smtputf8Detection) {
  EXPECT_TRUE(mentions_smtputf8("FROM:<j\xc3\xb6rg@example.com> SMTPUTF8"));
  EXPECT_FALSE(mentions_smtputf8("FROM:<smtputf8@example.com>"));
}

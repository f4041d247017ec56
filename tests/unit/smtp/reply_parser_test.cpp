#include "smtp/proto/reply_parser.h"

#include <gtest/gtest.h>

#include "smtp/client/client_session.h"

using namespace postern::smtp;

TEST(ReplyParser, MultiLineWithEnhancedCodes) {
  ReplyParser p;
  EXPECT_EQ(p.feed("250-mx.example.com"), ReplyParser::Step::More);
  EXPECT_EQ(p.feed("250-PIPELINING"), ReplyParser::Step::More);
  EXPECT_EQ(p.feed("250 STARTTLS"), ReplyParser::Step::Done);
  EXPECT_EQ(p.reply().code, 250);
  EXPECT_EQ(p.reply().lines.size(), 3u);
  ReplyParser q;
  EXPECT_EQ(q.feed("550 5.1.1 <x@y>: user unknown"), ReplyParser::Step::Done);
  EXPECT_EQ(q.reply().enhanced, "5.1.1");
  EXPECT_EQ(q.reply().lines[0], "<x@y>: user unknown");
}

TEST(ReplyParser, Malformed) {
  ReplyParser p;
  EXPECT_EQ(p.feed("25"), ReplyParser::Step::Malformed);
  EXPECT_EQ(p.feed("abc hello"), ReplyParser::Step::Malformed);
  EXPECT_EQ(p.feed("250x"), ReplyParser::Step::Malformed);
  ReplyParser q;
  EXPECT_EQ(q.feed("250-a"), ReplyParser::Step::More);
  EXPECT_EQ(q.feed("251 b"), ReplyParser::Step::Malformed);  // code changed mid-reply
}

TEST(ReplyParser, EnhancedCodeShape) {
  EXPECT_EQ(leading_enhanced_code("4.7.0 try later"), "4.7.0");
  EXPECT_EQ(leading_enhanced_code("5.1.10 null MX"), "5.1.10");
  EXPECT_EQ(leading_enhanced_code("3.1.1 no"), "");
  EXPECT_EQ(leading_enhanced_code("2.0 ok"), "");
  EXPECT_EQ(leading_enhanced_code("Ok"), "");
}

TEST(DotStuff, LeadingDotsAndTerminator) {
  EXPECT_EQ(dot_stuff("a\r\n.b\r\n..\r\n"), "a\r\n..b\r\n...\r\n.\r\n");
  EXPECT_EQ(dot_stuff(".x"), "..x\r\n.\r\n");
  EXPECT_EQ(dot_stuff(""), ".\r\n");
}

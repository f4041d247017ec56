#include "imap/proto/command.h"

#include <gtest/gtest.h>

using namespace postern::imap;

TEST(ParseCommand, Shapes) {
  struct Case {
    const char* wire;
    const char* name;
    size_t args;
  };
  const Case cases[] = {
      {"a1 NOOP", "NOOP", 0},
      {"a1 login bob \"pass word\"", "LOGIN", 2},
      {"a1 LOGIN {3}\r\nbob {2}\r\npw", "LOGIN", 2},
      {"a1 uid fetch 1:* (FLAGS BODY.PEEK[HEADER.FIELDS (FROM TO)]<0.100>)", "UID FETCH", 2},
      {"a1 STORE 1 +FLAGS.SILENT (\\Seen \\Deleted)", "STORE", 3},
      {"a1 LIST \"\" *", "LIST", 2},
      {"a1 LIST \"\" %", "LIST", 2},
      {"a1 SEARCH OR (FROM a) (TO b) NOT SEEN", "SEARCH", 5},
      {"a1 APPEND Drafts (\\Draft) \" 1-Jan-2026 10:00:00 +0000\" {2}\r\nhi", "APPEND", 4},
      {"a1 ID NIL", "ID", 1},
      {"a1 SELECT ()", "SELECT", 1},
  };
  for (const auto& c : cases) {
    std::string tag, error;
    auto cmd = parse_command(c.wire, tag, error);
    ASSERT_TRUE(cmd) << c.wire << ": " << error;
    EXPECT_EQ(cmd->tag, "a1");
    EXPECT_EQ(cmd->name, c.name) << c.wire;
    EXPECT_EQ(cmd->args.size(), c.args) << c.wire;
  }
}

TEST(ParseCommand, Values) {
  std::string tag, error;
  auto cmd = parse_command("t LOGIN \"a\\\"b\\\\c\" {4}\r\nx y\n", tag, error);
  ASSERT_TRUE(cmd) << error;
  EXPECT_EQ(cmd->args[0].text, "a\"b\\c");
  EXPECT_EQ(cmd->args[1].text, "x y\n");
  EXPECT_TRUE(cmd->args[1].literal);

  cmd = parse_command("t FETCH 1 (UID BODY[HEADER.FIELDS (A B)])", tag, error);
  ASSERT_TRUE(cmd) << error;
  ASSERT_TRUE(cmd->args[1].is_list());
  EXPECT_EQ(cmd->args[1].items[1].text, "BODY[HEADER.FIELDS (A B)]");
  EXPECT_TRUE(parse_command("t ID nil", tag, error)->args[0].is_nil());
}

TEST(ParseCommand, Rejects) {
  const char* bad[] = {
      "",                         // nothing
      "tag",                      // no command
      "t+ NOOP",                  // '+' not allowed in a tag
      "* NOOP",                   // nor '*'
      "t LOGIN \"unterminated",   //
      "t LOGIN \"bad\\escape\"",  //
      "t FETCH 1 (FLAGS",         // unbalanced
      "t FETCH 1 FLAGS)",         //
      "t FETCH 1 BODY[TEXT",      //
      "t LOGIN {5}\r\nab",        // literal shorter than announced
      "t NO$OP",                  // bad command name
      "t UID",                    // UID alone
  };
  for (const char* wire : bad) {
    std::string tag, error;
    EXPECT_FALSE(parse_command(wire, tag, error)) << wire;
    EXPECT_FALSE(error.empty()) << wire;
  }
  std::string tag, error;
  parse_command("abc FETCH (", tag, error);
  EXPECT_EQ(tag, "abc");  // the BAD can still be tagged
}

#include "imap/proto/command_reader.h"

#include <gtest/gtest.h>

using namespace postern::imap;
using E = CommandReader::Event;

TEST(CommandReader, FramesLinesAndLiterals) {
  struct Case {
    const char* input;
    std::vector<E> events;
    std::vector<std::string> commands;
  };
  const Case cases[] = {
      {"a NOOP\r\n", {E::Command}, {"a NOOP"}},
      {"a NOOP\n", {E::Command}, {"a NOOP"}},
      {"a NOOP\r\nb NOOP\r\n", {E::Command, E::Command}, {"a NOOP", "b NOOP"}},
      {"a LOGIN {3}\r\nbob {2}\r\npw\r\n", {E::Continue, E::Continue, E::Command}, {"a LOGIN {3}\r\nbob {2}\r\npw"}},
      {"a LOGIN {3+}\r\nbob {2+}\r\npw\r\n", {E::Command}, {"a LOGIN {3}\r\nbob {2}\r\npw"}},
      {"a APPEND x {4+}\r\n\r\n\r\n\r\n", {E::Command}, {"a APPEND x {4}\r\n\r\n\r\n"}},
      {"a X {0}\r\n\r\n", {E::Continue, E::Command}, {"a X {0}\r\n"}},
      {"a NOOP", {E::None}, {}},
      {"a X {x}\r\n", {E::Command}, {"a X {x}"}},
  };
  for (const auto& c : cases) {
    CommandReader r(1000, 100);
    std::string in = c.input;
    std::vector<E> seen;
    std::vector<std::string> cmds;
    for (int guard = 0; guard < 10; ++guard) {
      auto ev = r.next(in);
      seen.push_back(ev);
      if (ev == E::Command) cmds.push_back(r.take());
      if (ev == E::None || in.empty()) break;
    }
    if (seen.back() == E::None && c.events.back() != E::None) seen.pop_back();
    EXPECT_EQ(seen, c.events) << c.input;
    EXPECT_EQ(cmds, c.commands) << c.input;
  }
}

TEST(CommandReader, LiteralArrivingInPieces) {
  CommandReader r(1000, 100);
  std::string in = "a APPEND x {10}\r\n";
  EXPECT_EQ(r.next(in), E::Continue);
  in += "01234";
  EXPECT_EQ(r.next(in), E::None);
  in += "56789\r\n";
  EXPECT_EQ(r.next(in), E::Command);
  EXPECT_EQ(r.take(), "a APPEND x {10}\r\n0123456789");
}

TEST(CommandReader, RefusesHugeLiteralsBeforeReadingThem) {
  CommandReader r(1000, 100);
  std::string in = "t1 APPEND INBOX {101}\r\n";
  EXPECT_EQ(r.next(in), E::TooBig);
  EXPECT_EQ(r.refused_tag(), "t1");
  EXPECT_EQ(r.refused_size(), 101u);
  EXPECT_TRUE(r.refused_sync());
  in += "t2 NOOP\r\n";
  EXPECT_EQ(r.next(in), E::Command);
  EXPECT_EQ(r.take(), "t2 NOOP");

  std::string plus = "t3 APPEND INBOX {99999999999+}\r\n";
  EXPECT_EQ(r.next(plus), E::TooBig);
  EXPECT_FALSE(r.refused_sync());
  std::string overflow = "t4 APPEND INBOX {99999999999999999999999}\r\n";
  EXPECT_EQ(r.next(overflow), E::Command);  // not a literal at all: the parser answers BAD
}

TEST(CommandReader, LongLines) {
  CommandReader r(10, 100);
  std::string in(20, 'x');
  EXPECT_EQ(r.next(in), E::LineTooLong);
  std::string line = std::string(20, 'x') + "\r\n";
  CommandReader r2(10, 100);
  EXPECT_EQ(r2.next(line), E::LineTooLong);
}

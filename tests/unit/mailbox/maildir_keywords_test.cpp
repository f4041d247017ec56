#include "mailbox/maildir_keywords.h"

#include <gtest/gtest.h>

#include <string>

using namespace postern::mailbox;

TEST(MaildirKeywords, ReadsAndWritesDovecotsFile) {
  auto t = KeywordTable::parse("0 $Forwarded\n1 Work\n3 Later\nnonsense\n26 TooFar\n2 \\Seen\n");
  EXPECT_EQ(t.letter("$Forwarded"), 'a');
  EXPECT_EQ(t.letter("Work"), 'b');
  EXPECT_EQ(t.letter("Later"), 'd');
  EXPECT_EQ(t.letter("TooFar"), 0);
  EXPECT_EQ(t.keyword('c'), "");
  EXPECT_EQ(t.keyword('d'), "Later");
  EXPECT_EQ(t.format(), "0 $Forwarded\n1 Work\n3 Later\n");
  // A new keyword takes the first free number.
  EXPECT_EQ(t.add("New"), 'c');
  EXPECT_EQ(t.add("Work"), 'b');
  EXPECT_EQ(t.format(), "0 $Forwarded\n1 Work\n2 New\n3 Later\n");
}

TEST(MaildirKeywords, OnlyTwentySixLetters) {
  KeywordTable t;
  for (int i = 0; i < 26; ++i) EXPECT_EQ(t.add("k" + std::to_string(i)), char('a' + i));
  EXPECT_EQ(t.add("one-too-many"), 0);
  bool changed = false;
  // The 27th keyword keeps no letter: it lives in the index only.
  EXPECT_EQ(info_letters("\\Seen k0 k25 one-too-many", t, changed), "Saz");
  EXPECT_FALSE(changed);
}

TEST(MaildirKeywords, InfoLettersSortedLikeDovecot) {
  KeywordTable t;
  bool changed = false;
  EXPECT_EQ(info_letters("\\Flagged \\Seen $Label1 Work", t, changed), "FSab");
  EXPECT_TRUE(changed);
  EXPECT_EQ(t.format(), "0 $Label1\n1 Work\n");
  changed = false;
  EXPECT_EQ(info_letters("\\Answered \\Deleted \\Draft Work", t, changed), "DRTb");
  EXPECT_FALSE(changed);
}

TEST(MaildirKeywords, FlagsFromFileNameLetters) {
  auto t = KeywordTable::parse("0 $Label1\n1 Work\n");
  // Letters are the truth for system flags and lettered keywords ...
  EXPECT_EQ(flags_from_info("\\Seen Work", "Fa", t), "\\Flagged $Label1");
  // ... keywords without a letter keep what the index says.
  EXPECT_EQ(flags_from_info("\\Seen Unlettered Work", "Sb", t), "\\Seen Unlettered Work");
  // Letters for numbers the table does not have mean nothing.
  EXPECT_EQ(flags_from_info("", "Sz", t), "\\Seen");
}

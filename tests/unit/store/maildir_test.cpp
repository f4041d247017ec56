#include "store/maildir.h"

#include <dirent.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include "temp_dir.h"

using namespace postern::store;

TEST(Maildir, PathRefusesEscapes) {
  EXPECT_EQ(maildir_path("/m", "alice@example.test"), "/m/example.test/alice");
  EXPECT_THROW(maildir_path("/m", "../x@example.test"), std::invalid_argument);
  EXPECT_THROW(maildir_path("/m", "a/b@example.test"), std::invalid_argument);
  EXPECT_THROW(maildir_path("/m", "a@.."), std::invalid_argument);
}

TEST(Maildir, DeliversIntoNewWithSize) {
  std::string root = postern::test::make_temp_dir("md");
  auto box = maildir_path(root, "alice@example.test");
  auto name = deliver_to_maildir(box, "Return-Path: <a@b>\r\n", "Subject: x\r\n\r\nhi\r\n");
  EXPECT_NE(name.find(",S=38"), std::string::npos) << name;
  std::ifstream in(box + "/new/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_EQ(ss.str(), "Return-Path: <a@b>\r\nSubject: x\r\n\r\nhi\r\n");
  DIR* tmp = opendir((box + "/tmp").c_str());
  ASSERT_TRUE(tmp);
  int entries = 0;
  while (auto* e = readdir(tmp))
    if (e->d_name[0] != '.') ++entries;
  closedir(tmp);
  EXPECT_EQ(entries, 0);  // nothing left behind in tmp/
}

TEST(Maildir, TheSameCopyDeliveredTwiceStaysOneFileAndIsFoundAfterAReaderMovedIt) {
  std::string root = postern::test::make_temp_dir("md");
  auto box = maildir_path(root, "alice@example.test");
  auto copy = copy_name(1700000000, "q1abc", 7);
  EXPECT_FALSE(has_copy(box, copy));  // no Maildir yet: not an error
  auto first = deliver_to_maildir(box, "", "Subject: x\r\n\r\nhi\r\n", true, copy);
  auto second = deliver_to_maildir(box, "", "Subject: x\r\n\r\nhi\r\n", true, copy);
  EXPECT_EQ(first, second);
  EXPECT_TRUE(has_copy(box, copy));
  // An IMAP reader moves it to cur/ and adds flags.
  ASSERT_EQ(std::rename((box + "/new/" + first).c_str(), (box + "/cur/" + first + ":2,S").c_str()), 0);
  EXPECT_TRUE(has_copy(box, copy));
  // Another copy of the same message (envelope 70) is not mistaken for it.
  EXPECT_FALSE(has_copy(box, copy_name(1700000000, "q1abc", 70)));
}

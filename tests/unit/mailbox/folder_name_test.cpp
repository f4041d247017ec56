#include "mailbox/folder_name.h"

#include <gtest/gtest.h>

using namespace postern::mailbox;

TEST(FolderName, Accepts) {
  for (const char* ok : {"INBOX", "Sent", "Work.2026", "Entw&APw-rfe", "a b", "INBOX.child"})
    EXPECT_FALSE(check_folder_name(ok)) << ok;
  EXPECT_EQ(canonical_name("inbox"), "INBOX");
  EXPECT_EQ(canonical_name("Inbox.x"), "INBOX.x");
  EXPECT_EQ(folder_dir("/m", "INBOX"), "/m");
  EXPECT_EQ(folder_dir("/m", "Work.2026"), "/m/.Work.2026");
}

TEST(FolderName, RefusesEscapesAndControls) {
  for (const char* bad : {"", "../x", "a/b", "a\\b", ".hidden", "a..b", "a.", "x\ty", "x\x7fy", "caf\xC3\xA9",
                          "&AAo-" /* encoded LF */, "&AIU-" /* encoded C1 control */, "a*", "a%", "~user", "&Jjo"})
    EXPECT_TRUE(check_folder_name(bad)) << bad;
}

#include "mailbox/user_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "store/maildir.h"

using namespace postern::mailbox;
namespace fs = std::filesystem;

namespace {
struct TempDir {
  fs::path path;
  TempDir() {
    char tmpl[] = "/tmp/postern-us-XXXXXX";
    path = ::mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path); }
};
}  // namespace

TEST(UserStore, SpecialFoldersAndUids) {
  TempDir t;
  UserStore s(t.path.string() + "/u");
  auto folders = s.folders();
  EXPECT_EQ(folders, std::vector<std::string>({"INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash"}));
  EXPECT_EQ(s.subscriptions().size(), 5u);

  postern::store::deliver_to_maildir(s.maildir(), "", "Subject: a\r\n\r\nA\r\n");
  postern::store::deliver_to_maildir(s.maildir(), "", "Subject: b\n\nB\n");
  EXPECT_TRUE(s.sync("INBOX"));
  auto m = s.messages("INBOX");
  ASSERT_EQ(m.size(), 2u);
  EXPECT_EQ(m[0].uid, 1u);
  EXPECT_EQ(m[1].uid, 2u);
  EXPECT_EQ(m[1].size, 17u);  // counted with CRLF line ends: 14 bytes and 3 LF
  EXPECT_EQ(s.status("INBOX").uidnext, 3u);
  EXPECT_EQ(s.status("INBOX").unseen, 2u);

  EXPECT_EQ(s.set_flags("INBOX", 1, "\\Seen").value_or(""), "\\Seen");
  EXPECT_TRUE(fs::exists(fs::path(s.maildir()) / "cur" / (m[0].file.substr(0, m[0].file.size() - 3) + ":2,S")) ||
              s.messages("INBOX")[0].file.find(":2,S") != std::string::npos);
  EXPECT_EQ(s.status("INBOX").unseen, 1u);

  uint32_t uid = s.append("Drafts", "Subject: d\r\n\r\n", "\\Draft \\Seen", std::nullopt);
  EXPECT_EQ(uid, 1u);
  EXPECT_EQ(s.messages("Drafts")[0].flags, "\\Draft \\Seen");
  EXPECT_NE(s.messages("Drafts")[0].file.find(":2,DS"), std::string::npos);

  auto copied = s.copy("INBOX", {1, 2}, "Archive");
  EXPECT_EQ(copied.uids.size(), 2u);
  EXPECT_EQ(s.messages("Archive").size(), 2u);
  s.expunge("INBOX", {1});
  EXPECT_EQ(s.messages("INBOX").size(), 1u);
  EXPECT_THROW(s.copy("INBOX", {2}, "Nope"), Refused);
}

TEST(UserStore, FollowsFilesChangedBehindItsBack) {
  TempDir t;
  std::string dir = t.path.string() + "/u";
  uint32_t validity;
  {
    UserStore s(dir);
    postern::store::deliver_to_maildir(dir, "", "Subject: a\r\n\r\n");
    postern::store::deliver_to_maildir(dir, "", "Subject: b\r\n\r\n");
    s.sync("INBOX");
    validity = s.status("INBOX").uidvalidity;
    auto m = s.messages("INBOX");
    // Another program marks the first read and deletes the second.
    fs::rename(fs::path(dir) / "cur" / m[0].file, fs::path(dir) / "cur" / (m[0].file + "FS"));
    fs::remove(fs::path(dir) / "cur" / m[1].file);
    EXPECT_FALSE(s.sync("INBOX"));  // just looked: other programs' changes wait a second
    EXPECT_TRUE(s.sync("INBOX", true));
    m = s.messages("INBOX");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].flags, "\\Flagged \\Seen");
  }
  {
    UserStore s(dir);  // survives a restart: same UIDVALIDITY and UIDs
    EXPECT_EQ(s.status("INBOX").uidvalidity, validity);
    EXPECT_EQ(s.messages("INBOX")[0].uid, 1u);
  }
  fs::remove(fs::path(dir) / "postern-index.sqlite");
  fs::remove(fs::path(dir) / "postern-index.sqlite-wal");
  fs::remove(fs::path(dir) / "postern-index.sqlite-shm");
  {
    UserStore s(dir);  // rebuilt from the files, with a new UIDVALIDITY
    s.sync("INBOX");
    EXPECT_NE(s.status("INBOX").uidvalidity, validity);
    ASSERT_EQ(s.messages("INBOX").size(), 1u);
    EXPECT_EQ(s.messages("INBOX")[0].flags, "\\Flagged \\Seen");
  }
}

TEST(UserStore, CreateRenameDelete) {
  TempDir t;
  UserStore s(t.path.string() + "/u");
  s.create("Work");
  s.create("Work.2026");
  EXPECT_THROW(s.create("Work"), Refused);
  s.rename("Work", "Jobs");
  EXPECT_TRUE(s.exists("Jobs"));
  EXPECT_TRUE(s.exists("Jobs.2026"));
  EXPECT_FALSE(s.exists("Work.2026"));
  s.remove("Jobs.2026");
  EXPECT_FALSE(s.exists("Jobs.2026"));
  EXPECT_THROW(s.remove("INBOX"), Refused);
  EXPECT_THROW(s.remove("Nope"), Refused);
}

TEST(Flags, Canonical) {
  EXPECT_EQ(canonical_flags({"\\seen", "$Label", "\\FLAGGED", "\\Seen"}).value_or("?"), "\\Flagged \\Seen $Label");
  EXPECT_FALSE(canonical_flags({"\\Recent"}));
  EXPECT_FALSE(canonical_flags({"\\Bogus"}));
  EXPECT_FALSE(canonical_flags({"a(b"}));
}

TEST(UserStore, KeywordsLiveInFileNamesAsDovecotLettersThem) {
  TempDir t;
  std::string dir = t.path.string() + "/u";
  {
    UserStore s(dir);
    postern::store::deliver_to_maildir(dir, "", "Subject: a\r\n\r\n");
    s.sync("INBOX", true);
    EXPECT_EQ(s.set_flags("INBOX", 1, "\\Seen $Forwarded Work").value_or(""), "\\Seen $Forwarded Work");
    auto m = s.messages("INBOX");
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].file.substr(m[0].file.find(":2,")), ":2,Sab");
    std::ifstream kw(dir + "/dovecot-keywords");
    std::string text((std::istreambuf_iterator<char>(kw)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, "0 $Forwarded\n1 Work\n");
    // A copy to another folder numbers the keywords in that folder's own table.
    s.copy("INBOX", {1}, "Archive");
    EXPECT_NE(s.messages("Archive")[0].file.find(":2,Sab"), std::string::npos);
    EXPECT_TRUE(fs::exists(fs::path(dir) / ".Archive" / "dovecot-keywords"));
    // Another program (a Dovecot) drops keyword b and adds a keyword it numbered itself.
    {
      std::ofstream out(dir + "/dovecot-keywords");
      out << "0 $Forwarded\n1 Work\n2 Later\n";
    }
    std::string base = m[0].file.substr(0, m[0].file.find(":2,"));
    fs::rename(fs::path(dir) / "cur" / m[0].file, fs::path(dir) / "cur" / (base + ":2,Sac"));
    EXPECT_TRUE(s.sync("INBOX", true));
    EXPECT_EQ(s.messages("INBOX")[0].flags, "\\Seen $Forwarded Later");
  }
  for (const char* f : {"postern-index.sqlite", "postern-index.sqlite-wal", "postern-index.sqlite-shm"})
    fs::remove(fs::path(dir) / f);
  UserStore s(dir);  // a lost index gets the keywords back from the file names
  s.sync("INBOX", true);
  EXPECT_EQ(s.messages("INBOX")[0].flags, "\\Seen $Forwarded Later");
}

TEST(UserStore, RecentIsClaimedOnce) {
  TempDir t;
  std::string dir = t.path.string() + "/u";
  UserStore s(dir);
  postern::store::deliver_to_maildir(dir, "", "Subject: a\r\n\r\n");
  postern::store::deliver_to_maildir(dir, "", "Subject: b\r\n\r\n");
  s.sync("INBOX", true);
  EXPECT_EQ(s.status("INBOX").recent, 2u);
  EXPECT_EQ(s.recent_from("INBOX"), 1u);  // looking does not take it
  EXPECT_EQ(s.status("INBOX").recent, 2u);
  EXPECT_EQ(s.claim_recent("INBOX"), 1u);  // the first claim gets UIDs 1 and up
  EXPECT_EQ(s.status("INBOX").recent, 0u);
  EXPECT_EQ(s.claim_recent("INBOX"), 3u);  // the next one gets nothing already there
  postern::store::deliver_to_maildir(dir, "", "Subject: c\r\n\r\n");
  s.sync("INBOX", true);
  EXPECT_EQ(s.status("INBOX").recent, 1u);
  EXPECT_EQ(s.claim_recent("INBOX"), 3u);
  EXPECT_EQ(s.claim_recent("INBOX"), 4u);
}

TEST(UserStore, TellsItsOwnFileChangesFromOtherPrograms) {
  TempDir t;
  std::string dir = t.path.string() + "/u";
  UserStore s(dir);
  postern::store::deliver_to_maildir(dir, "", "Subject: a\r\n\r\n");
  s.sync("INBOX", true);
  std::string old_name = s.messages("INBOX")[0].file;
  s.set_flags("INBOX", 1, "\\Seen");
  std::string new_name = s.messages("INBOX")[0].file;
  // Postern's own rename: both halves are accounted for.
  EXPECT_TRUE(s.index_explains("INBOX", false, old_name, false));
  EXPECT_TRUE(s.index_explains("INBOX", false, new_name, true));
  // Other programs: a file renamed to a name the index does not have, a removal of the
  // indexed name, an arrival in new/.
  EXPECT_FALSE(s.index_explains("INBOX", false, new_name + "F", true));
  EXPECT_FALSE(s.index_explains("INBOX", false, new_name, false));
  EXPECT_FALSE(s.index_explains("INBOX", true, "1234.x.host", true));
  EXPECT_TRUE(s.index_explains("INBOX", true, "1234.x.host", false));
}

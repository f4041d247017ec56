#include "store/directory.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include "temp_dir.h"

using namespace postern::store;

namespace {
std::string directory_db() { return postern::test::make_temp_dir("dir") + "/postern.db"; }
}  // namespace

TEST(Directory, DomainsUsersAliases) {
  Directory d(directory_db());
  d.add_domain("example.test");
  EXPECT_THROW(d.add_domain("example.test"), Refused);
  EXPECT_THROW(d.add_user("a@other.test", "h"), Refused);
  d.add_user("a@example.test", "hash-a");
  EXPECT_EQ(*d.password_hash("a@example.test"), "hash-a");
  EXPECT_THROW(d.add_alias("a@example.test", {"b@example.test"}), Refused);
  d.add_alias("team@example.test", {"a@example.test", "x@far.test"});
  EXPECT_EQ(d.alias_targets("team@example.test")->size(), 2u);
  EXPECT_THROW(d.remove_domain("example.test"), Refused);
  d.remove_alias("team@example.test");
  d.remove_user("a@example.test");
  EXPECT_THROW(d.remove_user("a@example.test"), Refused);
  d.remove_domain("example.test");
  EXPECT_TRUE(d.domains().empty());
}

TEST(Directory, MigrationIsIdempotentAcrossOpens) {
  auto path = directory_db();
  { Directory(path).add_domain("example.test"); }
  Directory again(path);
  EXPECT_TRUE(again.is_local_domain("example.test"));
}

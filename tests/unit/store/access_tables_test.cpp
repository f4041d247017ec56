#include "store/access_tables.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include "temp_dir.h"

using namespace postern::store;

namespace {
std::string access_db() { return postern::test::make_temp_dir("access") + "/postern.db"; }
}  // namespace

TEST(AccessTables, RulesBumpTheSerialSeenByAnotherConnection) {
  auto path = access_db();
  AccessTables writer(path), reader(path);
  auto before = reader.serial();
  auto id = writer.add_rule({0, "black", "ip", "192.0.2.1", "reject", 0});
  EXPECT_GT(reader.serial(), before);
  EXPECT_THROW(writer.add_rule({0, "black", "ip", "192.0.2.1", "discard", 0}), Refused);
  writer.add_rule({0, "white", "ip", "192.0.2.1", "reject", 0});  // same value on the other list
  ASSERT_EQ(reader.rules().size(), 2u);
  EXPECT_EQ(reader.rules()[0].value, "192.0.2.1");
  auto mid = reader.serial();
  writer.remove_rule(id);
  EXPECT_GT(reader.serial(), mid);
  EXPECT_THROW(writer.remove_rule(id), Refused);
}

TEST(AccessTables, BlocksExpireAndLift) {
  AccessTables t(access_db());
  t.block({"192.0.2.1", "too many unknown recipients", 100, 200});
  t.block({"192.0.2.2", "manual", 100, 0});
  EXPECT_TRUE(t.active_block("192.0.2.1", 199));
  EXPECT_FALSE(t.active_block("192.0.2.1", 200));
  EXPECT_TRUE(t.active_block("192.0.2.2", 1000000));
  auto listed = t.blocks(150);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].reason, "too many unknown recipients");
  EXPECT_EQ(t.blocks(250).size(), 1u);  // the expired one is gone
  t.lift("192.0.2.2");
  EXPECT_FALSE(t.active_block("192.0.2.2", 0));
  EXPECT_THROW(t.lift("192.0.2.2"), Refused);
}

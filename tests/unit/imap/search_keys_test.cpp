#include "imap/proto/search_keys.h"

#include <gtest/gtest.h>

#include "imap/proto/date_time.h"

using namespace postern::imap;
using O = SearchKey::Op;

namespace {
std::optional<SearchKey> search(const char* text, std::string& error) {
  auto v = parse_values(text, error);
  if (!v) return std::nullopt;
  return parse_search(*v, 0, error);
}
}  // namespace

TEST(SearchKeys, Parses) {
  struct Case {
    const char* text;
    O first;
    size_t top;
  };
  const Case cases[] = {
      {"ALL", O::All, 1},
      {"UNSEEN", O::NoFlag, 1},
      {"FLAGGED SINCE 1-Feb-1994 NOT FROM \"Smith\"", O::Flag, 3},
      {"OR SEEN (DELETED FROM x)", O::Or, 1},
      {"1:3,5 UID 7:*", O::Sequence, 2},
      {"HEADER Message-ID <a@b>", O::Header, 1},
      {"KEYWORD $Junk LARGER 100 SMALLER 2000", O::Flag, 3},
      {"SENTBEFORE 31-Dec-2025 BODY hello TEXT world", O::SentBefore, 3},
      {"NEW OLD RECENT", O::New, 3},
  };
  for (const auto& c : cases) {
    std::string error;
    auto k = search(c.text, error);
    ASSERT_TRUE(k) << c.text << ": " << error;
    ASSERT_EQ(k->children.size(), c.top) << c.text;
    EXPECT_EQ(k->children[0].op, c.first) << c.text;
  }
  std::string error;
  auto k = search("SINCE 1-Feb-1994", error);
  EXPECT_EQ(k->children[0].date, *parse_date("1-Feb-1994"));
  EXPECT_EQ(k->children[0].date, 760060800);
}

TEST(SearchKeys, Rejects) {
  for (const char* bad : {"", "FROM", "OR SEEN", "SINCE yesterday", "BOGUS", "LARGER x", "UID x", "()", "NOT"}) {
    std::string error;
    EXPECT_FALSE(search(bad, error)) << bad;
  }
}

TEST(DateTime, ParsesAndFormats) {
  EXPECT_EQ(parse_date_time("17-Jul-1996 02:44:25 -0700").value_or(0), 837596665);
  EXPECT_EQ(parse_date_time(" 7-Jul-1996 02:44:25 +0000").value_or(0), 836707465);
  EXPECT_FALSE(parse_date_time("17-Jul-1996 02:44:25"));
  EXPECT_FALSE(parse_date_time("17-Foo-1996 02:44:25 +0000"));
  EXPECT_FALSE(parse_date("32-Jan-2020"));
  EXPECT_EQ(format_date_time(837596665), "17-Jul-1996 09:44:25 +0000");
}

#include "smtp/proto/data_reader.h"

#include <gtest/gtest.h>

#include <vector>

using postern::smtp::DataReader;

namespace {
// Feeds `raw` line by line as the transport would; returns true if the end marker was seen,
// and leaves in `rest` what came after it.
bool feed_all(DataReader& r, const std::string& raw, std::string* rest = nullptr) {
  size_t pos = 0;
  while (pos < raw.size()) {
    auto nl = raw.find('\n', pos);
    if (nl == std::string::npos) break;
    if (r.feed(std::string_view(raw).substr(pos, nl - pos + 1))) {
      if (rest) *rest = raw.substr(nl + 1);
      return true;
    }
    pos = nl + 1;
  }
  return false;
}
}  // namespace

TEST(DataReader, EndsOnlyOnCrlfDotCrlf) {
  DataReader r(1 << 20, 1000);
  std::string rest;
  ASSERT_TRUE(feed_all(r, "Subject: x\r\n\r\nbody\r\n.\r\nQUIT\r\n", &rest));
  EXPECT_EQ(r.message(), "Subject: x\r\n\r\nbody\r\n");
  EXPECT_EQ(rest, "QUIT\r\n");
}

TEST(DataReader, DotUnstuffing) {
  DataReader r(1 << 20, 1000);
  ASSERT_TRUE(feed_all(r, "..leading dot\r\n...\r\n.\r\n"));
  EXPECT_EQ(r.message(), ".leading dot\r\n..\r\n");
}

TEST(DataReader, SmugglingSequencesAreContent) {
  // Each of these is an end-of-data marker on some broken servers; none is here.
  for (const std::string& evil : std::vector<std::string>{"a\n.\nMAIL FROM:<x@y.example>\r\n", "a\r\n.\nMAIL FROM:<x@y.example>\r\n",
                           "a\n.\r\nMAIL FROM:<x@y.example>\r\n", "a\r.\r\nMAIL FROM:<x@y.example>\r\n"}) {
    DataReader r(1 << 20, 1000);
    EXPECT_FALSE(feed_all(r, evil)) << evil;
    EXPECT_NE(r.message().find("MAIL FROM"), std::string::npos);
    EXPECT_TRUE(feed_all(r, "\r\n.\r\n")) << "the real end must still work after " << evil;
  }
}

TEST(DataReader, BareLfIsNormalisedAndCounted) {
  DataReader r(1 << 20, 1000);
  ASSERT_TRUE(feed_all(r, "one\ntwo\r\n.\r\n"));
  EXPECT_EQ(r.message(), "one\r\ntwo\r\n");
  EXPECT_TRUE(r.saw_bare_lf());
}

TEST(DataReader, SizeLimitKeepsCountingButStopsStoring) {
  DataReader r(10, 1000);
  ASSERT_TRUE(feed_all(r, "0123456789abcdef\r\nmore\r\n.\r\n"));
  EXPECT_TRUE(r.too_big());
  EXPECT_EQ(r.size(), 24u);
  EXPECT_LE(r.message().size(), 10u);
}

TEST(DataReader, LongLinesInPieces) {
  DataReader r(1 << 20, 8);
  EXPECT_FALSE(r.feed("12345678", true));
  EXPECT_FALSE(r.feed("9\r\n"));
  EXPECT_TRUE(r.line_too_long());
  EXPECT_TRUE(r.feed(".\r\n"));
  EXPECT_EQ(r.message(), "123456789\r\n");
}

TEST(DataReader, CrlfSplitAcrossPiecesIsStillCrlf) {
  // A line of exactly the limit: the transport hands over "zzzz\r" then "\n".
  DataReader r(1 << 20, 5);
  EXPECT_FALSE(r.feed("zzzz\r", true));
  EXPECT_FALSE(r.feed("\n"));
  EXPECT_FALSE(r.saw_bare_lf());
  EXPECT_TRUE(r.feed(".\r\n")) << "the end marker after such a line must be recognised";
  EXPECT_EQ(r.message(), "zzzz\r\n");
}

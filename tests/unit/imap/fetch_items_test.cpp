#include "imap/proto/fetch_items.h"

#include <gtest/gtest.h>

using namespace postern::imap;

namespace {
std::optional<std::vector<FetchItem>> items(const char* text, std::string& error) {
  auto v = parse_values(text, error);
  if (!v || v->size() != 1) return std::nullopt;
  return parse_fetch_items((*v)[0], error);
}
}  // namespace

TEST(FetchItems, Macros) {
  std::string error;
  EXPECT_EQ(items("FAST", error)->size(), 3u);
  EXPECT_EQ(items("ALL", error)->size(), 4u);
  EXPECT_EQ(items("full", error)->size(), 5u);
}

TEST(FetchItems, Sections) {
  struct Case {
    const char* text;
    std::string spec;
    std::vector<uint32_t> part;
    Section::Text kind;
    bool peek, partial;
  };
  using T = Section::Text;
  const Case cases[] = {
      {"BODY[]", "", {}, T::Full, false, false},
      {"BODY.PEEK[HEADER]", "HEADER", {}, T::Header, true, false},
      {"body[text]<5.10>", "TEXT", {}, T::Text, false, true},
      {"BODY[1.2.MIME]", "1.2.MIME", {1, 2}, T::Mime, false, false},
      {"BODY[2]", "2", {2}, T::Full, false, false},
      {"BODY[3.HEADER.FIELDS (from \"To\")]", "3.HEADER.FIELDS (FROM TO)", {3}, T::HeaderFields, false, false},
      {"BODY.PEEK[HEADER.FIELDS.NOT (Received)]", "HEADER.FIELDS.NOT (RECEIVED)", {}, T::HeaderFieldsNot, true, false},
  };
  for (const auto& c : cases) {
    std::string error;
    auto v = items(c.text, error);
    ASSERT_TRUE(v) << c.text << ": " << error;
    const auto& it = (*v)[0];
    EXPECT_EQ(it.kind, FetchItem::Kind::Section);
    EXPECT_EQ(it.section.spec, c.spec) << c.text;
    EXPECT_EQ(it.section.part, c.part) << c.text;
    EXPECT_EQ(it.section.text, c.kind) << c.text;
    EXPECT_EQ(it.peek, c.peek) << c.text;
    EXPECT_EQ(it.partial, c.partial) << c.text;
  }
  std::string error;
  auto v = items("(FLAGS BODY[TEXT]<5.10>)", error);
  EXPECT_EQ((*v)[1].offset, 5u);
  EXPECT_EQ((*v)[1].length, 10u);
  EXPECT_TRUE(fetch_sets_seen(*v));
  EXPECT_FALSE(fetch_sets_seen(*items("(BODY.PEEK[] FLAGS)", error)));
}

TEST(FetchItems, Rejects) {
  for (const char* bad : {"BOGUS", "BODY[", "BODY[MIME]", "BODY[0]", "BODY[1.]", "BODY[HEADER.FIELDS]",
                          "BODY[HEADER.FIELDS ()]", "BODY[TEXT]<5>", "BODY[]<1.0>", "BODY[X]", "()"}) {
    std::string error;
    EXPECT_FALSE(items(bad, error)) << bad;
  }
}

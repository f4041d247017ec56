#include "mail/header_scan.h"

#include <gtest/gtest.h>

using namespace postern::mail;

TEST(HeaderScan, CountsReceivedOnlyInHeaders) {
  std::string msg =
      "Received: from a\r\n\tby b\r\nreceived: from c\r\nMessage-Id: <x@y>\r\nSubject: hi\r\n\r\n"
      "Received: this is body text\r\nDate: not a header\r\n";
  auto f = scan_headers(msg);
  EXPECT_EQ(f.received_count, 2);
  EXPECT_TRUE(f.has_message_id);
  EXPECT_FALSE(f.has_date);
  EXPECT_FALSE(f.has_from);
}

TEST(HeaderScan, FoldedLinesAreNotHeaders) {
  auto f = scan_headers("Subject: x\r\n Received: folded\r\nDate: Mon, 1 Jan 2024 00:00:00 +0000\r\n\r\n");
  EXPECT_EQ(f.received_count, 0);
  EXPECT_TRUE(f.has_date);
}

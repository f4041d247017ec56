#include "queue/dsn.h"

#include <gtest/gtest.h>

using namespace postern::queue;

TEST(Dsn, Rfc3464Structure) {
  BounceInput in;
  in.reporting_host = "mx.example.test";
  in.queue_id = "Q123";
  in.original_sender = "alice@example.test";
  in.arrival = 1767225600;
  in.failed = {{"bob@far.test", "team@example.test", "5.1.1", "550 5.1.1 user unknown", "mx.far.test[127.0.0.9]:25"}};
  in.original_message = "Subject: hello\r\nFrom: alice@example.test\r\n\r\nsecret body\r\n";
  auto m = build_dsn(in, "Q999@mx.example.test", 1767229200);
  EXPECT_NE(m.find("Content-Type: multipart/report; report-type=delivery-status;"), std::string::npos);
  EXPECT_NE(m.find("Content-Type: message/delivery-status"), std::string::npos);
  EXPECT_NE(m.find("Reporting-MTA: dns; mx.example.test\r\n"), std::string::npos);
  EXPECT_NE(m.find("Final-Recipient: rfc822; bob@far.test\r\n"), std::string::npos);
  EXPECT_NE(m.find("Original-Recipient: rfc822; team@example.test\r\n"), std::string::npos);
  EXPECT_NE(m.find("Action: failed\r\nStatus: 5.1.1\r\n"), std::string::npos);
  EXPECT_NE(m.find("Diagnostic-Code: smtp; 550 5.1.1 user unknown\r\n"), std::string::npos);
  EXPECT_NE(m.find("Remote-MTA: dns; mx.far.test\r\n"), std::string::npos);
  EXPECT_NE(m.find("Subject: hello\r\n"), std::string::npos);
  EXPECT_EQ(m.find("secret body"), std::string::npos);  // headers only are returned
  EXPECT_NE(m.find("To: <alice@example.test>"), std::string::npos);
  EXPECT_NE(m.find("Auto-Submitted: auto-replied"), std::string::npos);
  // Every line ends in CRLF.
  for (size_t i = m.find('\n'); i != std::string::npos; i = m.find('\n', i + 1)) ASSERT_EQ(m[i - 1], '\r');
}

#include "mailbox/message_view.h"

#include <gtest/gtest.h>

using namespace postern::mailbox;
using postern::imap::Section;

namespace {
const char* kMultipart =
    "From: =?utf-8?q?J=C3=B6rg?= <jorg@example.test>\r\n"
    "To: a@example.test, Friends: b@example.test;\r\n"
    "Subject: Hello\r\n"
    "Date: Mon, 7 Feb 1994 21:52:25 -0800\r\n"
    "Message-ID: <1@example.test>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: multipart/mixed; boundary=\"XX\"\r\n"
    "\r\n"
    "preamble\r\n"
    "--XX\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "\r\n"
    "first line\r\n"
    "second line\r\n"
    "--XX\r\n"
    "Content-Type: application/octet-stream; name=a.bin\r\n"
    "Content-Transfer-Encoding: base64\r\n"
    "Content-Disposition: attachment; filename=a.bin\r\n"
    "\r\n"
    "AAEC\r\n"
    "--XX--\r\n";
}

TEST(MessageView, Envelope) {
  init_mime();
  MessageView v(kMultipart);
  EXPECT_EQ(v.envelope(),
            "(\"Mon, 7 Feb 1994 21:52:25 -0800\" \"Hello\" ((\"=?UTF-8?b?SsO2cmc=?=\" NIL \"jorg\" \"example.test\")) "
            "((\"=?UTF-8?b?SsO2cmc=?=\" NIL \"jorg\" \"example.test\")) ((\"=?UTF-8?b?SsO2cmc=?=\" NIL \"jorg\" "
            "\"example.test\")) ((NIL NIL \"a\" \"example.test\")(NIL NIL \"Friends\" NIL)(NIL NIL \"b\" "
            "\"example.test\")(NIL NIL NIL NIL)) NIL NIL NIL \"<1@example.test>\")");
}

TEST(MessageView, BodyStructure) {
  init_mime();
  MessageView v(kMultipart);
  EXPECT_EQ(v.body_structure(false),
            "((\"text\" \"plain\" (\"charset\" \"utf-8\") NIL NIL \"7bit\" 23 2)"
            "(\"application\" \"octet-stream\" (\"name\" \"a.bin\") NIL NIL \"base64\" 4) \"mixed\")");
  EXPECT_NE(v.body_structure(true).find("(\"attachment\" (\"filename\" \"a.bin\"))"), std::string::npos);
}

TEST(MessageView, Sections) {
  init_mime();
  MessageView v(kMultipart);
  Section s;
  s.part = {1};
  // The CRLF before a boundary belongs to the boundary (RFC 2046 §5.1.1).
  EXPECT_EQ(v.section(s), "first line\r\nsecond line");
  s.part = {2};
  EXPECT_EQ(v.section(s), "AAEC");
  s.text = Section::Text::Mime;
  EXPECT_NE(v.section(s).find("Content-Disposition: attachment"), std::string::npos);
  s.part = {3};
  s.text = Section::Text::Full;
  EXPECT_EQ(v.section(s), "");
  Section h;
  h.text = Section::Text::HeaderFields;
  h.fields = {"SUBJECT", "TO"};
  EXPECT_EQ(v.section(h), "To: a@example.test, Friends: b@example.test;\r\nSubject: Hello\r\n\r\n");
  EXPECT_EQ(v.header_text("From"), "J\xC3\xB6rg <jorg@example.test>");
  EXPECT_NE(v.body_text().find("second line"), std::string::npos);
  EXPECT_EQ(v.sent_date().value_or(0), 760686745);
}

TEST(MessageView, CrLf) {
  EXPECT_EQ(to_crlf("a\nb\r\nc\n"), "a\r\nb\r\nc\r\n");
}

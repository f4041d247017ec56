// The RFC 8460 §4 report JSON: header fields, one policy entry per policy with summary
// counts, failure details only for failures; and its message (§5.3) with the gzip part.
#include "tlsrpt/report.h"
#include "tlsrpt/report_message.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include "util/base64.h"

using namespace postern::tlsrpt;

namespace {
Row row(const std::string& type, const std::string& result, int64_t count, std::vector<std::string> strings = {},
        const std::string& mx = "", const std::string& ip = "") {
  Row r;
  r.outcome.domain = "far.test";
  r.outcome.policy_type = type;
  r.outcome.policy_strings = std::move(strings);
  r.outcome.result_type = result;
  r.outcome.mx_host = mx;
  r.outcome.receiving_ip = ip;
  r.count = count;
  return r;
}

std::string gunzip(const std::string& data) {
  z_stream z{};
  inflateInit2(&z, 15 + 16);
  std::string out(1 << 20, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = uInt(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = uInt(out.size());
  int rc = inflate(&z, Z_FINISH);
  inflateEnd(&z);
  EXPECT_EQ(rc, Z_STREAM_END);
  out.resize(z.total_out);
  return out;
}
}  // namespace

TEST(TlsrptReport, HeaderAndCounts) {
  ReportHeader h{"Example Org", "postmaster@example.test", "R1", "2026-11-25", "far.test"};
  auto j = build_report(h, {row("no-policy-found", "success", 3),
                            row("no-policy-found", "starttls-not-supported", 2, {}, "mx.far.test", "127.0.0.9"),
                            row("sts", "success", 1, {"version: STSv1", "mode: enforce", "mx: *.far.test", "max_age: 86400"})});
  EXPECT_EQ(j["organization-name"], "Example Org");
  EXPECT_EQ(j["contact-info"], "postmaster@example.test");
  EXPECT_EQ(j["report-id"], "R1");
  EXPECT_EQ(j["date-range"]["start-datetime"], "2026-11-25T00:00:00Z");
  EXPECT_EQ(j["date-range"]["end-datetime"], "2026-11-25T23:59:59Z");
  ASSERT_EQ(j["policies"].size(), 2u);
  const auto& none = j["policies"][0];
  EXPECT_EQ(none["policy"]["policy-type"], "no-policy-found");
  EXPECT_EQ(none["policy"]["policy-domain"], "far.test");
  EXPECT_FALSE(none["policy"].contains("policy-string"));
  EXPECT_EQ(none["summary"]["total-successful-session-count"], 3);
  EXPECT_EQ(none["summary"]["total-failure-session-count"], 2);
  ASSERT_EQ(none["failure-details"].size(), 1u);
  EXPECT_EQ(none["failure-details"][0]["result-type"], "starttls-not-supported");
  EXPECT_EQ(none["failure-details"][0]["receiving-mx-hostname"], "mx.far.test");
  EXPECT_EQ(none["failure-details"][0]["receiving-ip"], "127.0.0.9");
  EXPECT_EQ(none["failure-details"][0]["failed-session-count"], 2);
  const auto& sts = j["policies"][1];
  EXPECT_EQ(sts["policy"]["policy-type"], "sts");
  EXPECT_EQ(sts["policy"]["policy-string"].size(), 4u);
  EXPECT_EQ(sts["policy"]["mx-host"], nlohmann::json::array({"*.far.test"}));
  EXPECT_EQ(sts["summary"]["total-failure-session-count"], 0);
  EXPECT_FALSE(sts.contains("failure-details"));
}

TEST(TlsrptReport, NoRowsNoPolicies) {
  auto j = build_report({"o", "c", "r", "2026-01-01", "far.test"}, {});
  EXPECT_TRUE(j["policies"].is_array());
  EXPECT_TRUE(j["policies"].empty());
}

TEST(TlsrptReportMessage, HeadersAndGzipAttachment) {
  ReportMessageInput in;
  in.from = "postmaster@example.test";
  in.to = "reports@far.test";
  in.submitter = "example.test";
  in.domain = "far.test";
  in.report_id = "2026-11-25.abc@example.test";
  in.day = "2026-11-25";
  in.json = R"({"report-id":"x"})";
  in.message_id = "M1@example.test";
  auto m = build_report_message(in, 1764115200);
  EXPECT_NE(m.find("Subject: Report Domain: far.test Submitter: example.test Report-ID: <2026-11-25.abc@example.test>\r\n"),
            std::string::npos);
  EXPECT_NE(m.find("TLS-Report-Domain: far.test\r\n"), std::string::npos);
  EXPECT_NE(m.find("TLS-Report-Submitter: example.test\r\n"), std::string::npos);
  EXPECT_NE(m.find("multipart/report; report-type=\"tlsrpt\""), std::string::npos);
  EXPECT_NE(m.find("Content-Type: application/tlsrpt+gzip"), std::string::npos);
  EXPECT_NE(m.find("filename=\"example.test!far.test!1795564800!1795651199.json.gz\""), std::string::npos);
  // The attachment decodes to the JSON given.
  auto start = m.find("\r\n\r\n", m.find("Content-Disposition: attachment"));
  auto end = m.find("\r\n--", start);
  std::string b64;
  for (char c : m.substr(start + 4, end - start - 4))
    if (c != '\r' && c != '\n') b64 += c;
  auto gz = postern::util::base64_decode(b64);
  ASSERT_TRUE(gz);
  EXPECT_EQ(gunzip(*gz), in.json);
  for (size_t i = m.find('\n'); i != std::string::npos; i = m.find('\n', i + 1)) ASSERT_EQ(m[i - 1], '\r');
}

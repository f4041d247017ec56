// The TLSRPT record parser against every tlsrpt_txt_record vector of the shared test data
// (tests/data/mta-sts-vectors.json, from mox's test suite): validity and the rua URIs.
#include "tlsrpt/txt_record.h"

#include <gtest/gtest.h>

#include <fstream>

#include <nlohmann/json.hpp>

using namespace postern::tlsrpt;

TEST(TlsrptTxtRecord, EveryVector) {
  std::ifstream in(POSTERN_MTA_STS_VECTORS);
  ASSERT_TRUE(in) << POSTERN_MTA_STS_VECTORS;
  auto vectors = nlohmann::json::parse(in).at("tlsrpt_txt_record");
  ASSERT_GE(vectors.size(), 20u);
  for (const auto& v : vectors) {
    auto txt = v.at("txt").get<std::string>();
    auto got = parse_txt_record(txt);
    ASSERT_EQ(got.has_value(), v.at("valid").get<bool>()) << txt;
    if (got) {
      EXPECT_EQ(got->rua, v.at("rua").get<std::vector<std::vector<std::string>>>()) << txt;
    }
  }
}

TEST(TlsrptTxtRecord, MailtoAndHttpsAreSeparated) {
  auto r = parse_txt_record("v=TLSRPTv1; rua=mailto:a@x.example,https://x.example/r; rua=mailto:b@x.example?subject=x");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->mailto_addresses(), (std::vector<std::string>{"a@x.example", "b@x.example"}));
  EXPECT_EQ(r->https_uris(), (std::vector<std::string>{"https://x.example/r"}));
}

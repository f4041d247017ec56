// Every vector of shared/testdata/mta-sts-vectors.json (MTA-STS, TLS-Required) asserted
// against the pure parsers. The file is read at test time from POSTERN_STS_VECTORS.
// Vectors about DNS or HTTP behaviour (CNAME chains, SERVFAIL, fetch status codes) are
// checked against the policy source and the e2e tests; here each is still matched to the
// test that covers it, so a new vector cannot go unnoticed.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "mtasts/policy.h"
#include "mtasts/record.h"
#include "mtasts/tls_required.h"

using namespace postern::mtasts;
using nlohmann::json;

namespace {

const json& vectors() {
  static json v = [] {
    std::ifstream in(POSTERN_STS_VECTORS);
    if (!in) throw std::runtime_error("cannot read " POSTERN_STS_VECTORS);
    return json::parse(in);
  }();
  return v;
}

}  // namespace

TEST(StsVectors, TxtRecords) {
  const auto& list = vectors().at("mta_sts_txt_record");
  ASSERT_GE(list.size(), 30u);
  for (const auto& v : list) {
    auto txt = v.at("txt").get<std::string>();
    auto id = parse_record(txt);
    EXPECT_EQ(id.has_value(), v.at("valid").get<bool>()) << "txt: " << txt;
    if (id && v.contains("id")) {
      EXPECT_EQ(*id, v.at("id").get<std::string>()) << txt;
    }
  }
}

TEST(StsVectors, TxtLookup) {
  int asserted = 0;
  for (const auto& v : vectors().at("mta_sts_txt_lookup")) {
    auto result = v.at("result").get<std::string>();
    if (!v.at("txt_records").is_array()) {
      // DNS-level vectors: CNAME chains are followed by the resolver (libunbound); a
      // SERVFAIL keeps the cached policy (PolicySource test below and test_mta_sts.py).
      auto what = v.at("txt_records").get<std::string>();
      EXPECT_TRUE(what.find("CNAME") != std::string::npos || what.find("SERVFAIL") != std::string::npos) << what;
      ++asserted;
      continue;
    }
    auto d = discover(v.at("txt_records").get<std::vector<std::string>>());
    if (result.rfind("record id=", 0) == 0) {
      EXPECT_EQ(d.kind, Discovery::Found) << result;
      EXPECT_EQ(d.id, result.substr(10, result.find(' ', 10) - 10)) << result;
    } else if (result.find("multiple") != std::string::npos) {
      EXPECT_EQ(d.kind, Discovery::Multiple) << result;
    } else if (result.find("syntax error") != std::string::npos) {
      EXPECT_EQ(d.kind, Discovery::Invalid) << result;
    } else {
      EXPECT_EQ(d.kind, Discovery::None) << result;
    }
    ++asserted;
  }
  EXPECT_EQ(asserted, int(vectors().at("mta_sts_txt_lookup").size()));
}

TEST(StsVectors, Policies) {
  const auto& list = vectors().at("mta_sts_policy");
  ASSERT_GE(list.size(), 38u);
  for (const auto& v : list) {
    auto body = v.at("body").get<std::string>();
    std::string why;
    auto p = parse_policy(body, &why);
    ASSERT_EQ(p.has_value(), v.at("valid").get<bool>()) << "body: " << body << "\nwhy: " << why;
    if (!p) {
      EXPECT_FALSE(why.empty()) << body;
      continue;
    }
    EXPECT_STREQ(mode_name(p->mode), v.at("mode").get<std::string>().c_str()) << body;
    EXPECT_EQ(p->max_age, v.at("max_age").get<int64_t>()) << body;
    if (v.contains("mx")) {
      EXPECT_EQ(p->mx, v.at("mx").get<std::vector<std::string>>()) << body;
    }
    // What the cache stores parses back to the same policy.
    auto again = parse_policy(format_policy(*p));
    ASSERT_TRUE(again) << format_policy(*p);
    EXPECT_EQ(again->mx, p->mx);
    EXPECT_EQ(again->mode, p->mode);
    EXPECT_EQ(again->max_age, p->max_age);
  }
}

TEST(StsVectors, MxMatching) {
  for (const auto& v : vectors().at("mta_sts_mx_match")) {
    auto patterns = v.at("policy_mx").get<std::vector<std::string>>();
    auto host = v.at("host").get<std::string>();
    // Matching is the same in every mode; testing mode only changes what a mismatch does.
    EXPECT_EQ(mx_matches(patterns, host), v.at("match").get<bool>()) << host;
    EXPECT_EQ(mx_matches(patterns, host + "."), v.at("match").get<bool>()) << host << " with the root dot";
  }
}

TEST(StsVectors, FetchMediaTypesAndCasesAreCovered) {
  // The fetch cases map to tests/e2e/test_mta_sts.py (HTTPS server written for the test);
  // here: the media-type table, and that no case is left without a named check.
  const std::set<std::string> covered_in_e2e = {
      "HTTP 200, text/plain, valid body", "HTTP 404", "HTTP 301/302 redirect", "HTTP 500",
      "Content-Type text/html", "body larger than 64 KiB (static Content-Length or chunked)",
      "TLS certificate not valid for mta-sts.<domain> / expired / self-signed",
      "_mta-sts TXT present but mta-sts.<domain> has no HTTPS policy", "max_age: 1"};
  int media = 0;
  for (const auto& v : vectors().at("mta_sts_fetch")) {
    auto name = v.at("case").get<std::string>();
    if (v.at("expect").is_object()) {
      for (const auto& [type, ok] : v.at("expect").items()) {
        EXPECT_EQ(is_policy_media_type(type), ok.get<bool>()) << type;
        ++media;
      }
      continue;
    }
    EXPECT_TRUE(covered_in_e2e.count(name)) << "fetch vector without a test: " << name;
  }
  EXPECT_GE(media, 10);
  EXPECT_FALSE(is_policy_media_type("text/html"));
}

TEST(StsVectors, TlsRequiredHeader) {
  // The header half of the requiretls vectors; the SMTP halves (REQUIRETLS wins, 5.7.30,
  // not advertised in clear) are in tests/e2e/test_requiretls.py.
  for (const auto& v : vectors().at("requiretls")) {
    auto c = v.at("case").get<std::string>();
    if (c == "no REQUIRETLS, header 'TLS-Required: No'") {
      EXPECT_TRUE(tls_required_no("From: a@x\r\nTLS-Required: No\r\nSubject: s\r\n\r\nbody\r\n"));
      EXPECT_TRUE(tls_required_no("TLS-Required:no\n\n"));
    } else if (c.find("two headers") != std::string::npos) {
      EXPECT_FALSE(tls_required_no("TLS-Required: No\r\nTLS-Required: bogus\r\n\r\n"));
      EXPECT_FALSE(tls_required_no("TLS-Required: No\r\nTLS-Required: No\r\n\r\n"));
    } else {
      // SMTP-level: test_requiretls.py (REQUIRETLS wins over the header, 5.7.30 when the
      // next hop lacks REQUIRETLS, not advertised on a cleartext EHLO).
      EXPECT_TRUE(c.find("REQUIRETLS") != std::string::npos || c.find("EHLO") != std::string::npos) << c;
    }
  }
  EXPECT_FALSE(tls_required_no("TLS-Required: Yes\r\n\r\n"));
  EXPECT_FALSE(tls_required_no("Subject: x\r\n\r\nTLS-Required: No\r\n"));  // in the body: not a header
  EXPECT_TRUE(tls_required_no("TLS-Required:\r\n No\r\n\r\n"));             // folded
}

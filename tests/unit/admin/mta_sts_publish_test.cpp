// The published MTA-STS policy text (RFC 8461 §3.2), its id, the DNS records per domain and
// the certificate checks shown before enforcing.
#include "admin/mta_sts_publish.h"

#include <gtest/gtest.h>

namespace postern::admin {

TEST(MtaStsPublish, PolicyTextFollowsTheRfcGrammar) {
  StsPolicy p{"enforce", {"mail.example.com", "*.example.net"}, 604800};
  EXPECT_EQ(policy_text(p),
            "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\nmax_age: 604800\r\n");
}

TEST(MtaStsPublish, IdIsAlphanumericAndChangesWithThePolicy) {
  StsPolicy p{"testing", {"mail.example.com"}, 86400};
  auto id = policy_id(policy_text(p));
  EXPECT_EQ(id.size(), 20u);
  for (char c : id) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c)));
  EXPECT_EQ(id, policy_id(policy_text(p)));
  p.mode = "enforce";
  EXPECT_NE(id, policy_id(policy_text(p)));
  p.mode = "testing";
  p.max_age = 86401;
  EXPECT_NE(id, policy_id(policy_text(p)));
}

TEST(MtaStsPublish, RecordsForADomain) {
  StsPublication pub;
  pub.policy = {"enforce", {"mx1.example.com", "*.backup.example.com"}, 86400};
  pub.id = "abc123";
  pub.host = "mx1.example.com";
  auto d = domain_records("example.org", pub, "");
  EXPECT_EQ(d.policy_url, "https://mta-sts.example.org/.well-known/mta-sts.txt");
  ASSERT_EQ(d.records.size(), 4u);  // the pattern gets no MX record
  EXPECT_EQ(d.records[0].name, "_mta-sts.example.org");
  EXPECT_EQ(d.records[0].value, "v=STSv1; id=abc123");
  EXPECT_EQ(d.records[1].name, "_smtp._tls.example.org");
  EXPECT_EQ(d.records[1].value, "v=TLSRPTv1; rua=mailto:postmaster@example.org");
  EXPECT_EQ(d.records[2].name, "mta-sts.example.org");
  EXPECT_EQ(d.records[2].value, "mx1.example.com.");
  EXPECT_EQ(d.records[3].type, "MX");
  EXPECT_EQ(d.records[3].value, "10 mx1.example.com.");
  EXPECT_EQ(domain_records("example.org", pub, "tls@reports.test").records[1].value,
            "v=TLSRPTv1; rua=mailto:tls@reports.test");
  EXPECT_EQ(domain_records("example.org", pub, "a@reports.test,b@reports.test").records[1].value,
            "v=TLSRPTv1; rua=mailto:a@reports.test,mailto:b@reports.test");
}

TEST(MtaStsPublish, WildcardNamesCoverOneLabel) {
  EXPECT_TRUE(name_covers("mail.example.com", "MAIL.example.com"));
  EXPECT_TRUE(name_covers("*.example.com", "mail.example.com"));
  EXPECT_FALSE(name_covers("*.example.com", "a.mail.example.com"));
  EXPECT_FALSE(name_covers("*.example.com", "example.com"));
  EXPECT_FALSE(name_covers("mail.example.com", "mx.example.com"));
}

TEST(MtaStsPublish, CertificateWarningsOnlyWhenAPolicyApplies) {
  tls::CertificateInfo cert;
  cert.names = {"*.example.com"};
  cert.self_signed = true;
  StsPolicy p{"none", {"mail.other.test"}, 86400};
  EXPECT_TRUE(certificate_warnings(p, cert).empty());
  p.mode = "testing";
  auto w = certificate_warnings(p, cert);
  ASSERT_EQ(w.size(), 2u);
  EXPECT_NE(w[0].find("self-signed"), std::string::npos);
  EXPECT_EQ(w[1], "the certificate does not name the MX host mail.other.test");
  cert.self_signed = false;
  p.mx = {"mail.example.com", "*.example.net"};
  EXPECT_TRUE(certificate_warnings(p, cert).empty());
}

}  // namespace postern::admin

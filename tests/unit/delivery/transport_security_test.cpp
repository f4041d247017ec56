// SecurityPlan: what MTA-STS and RequireTLS do to a delivery group's hops and outcomes.
// The end-to-end behaviour with real peers is in tests/e2e/test_mta_sts.py and
// test_requiretls.py and test_requiretls_dnssec.py (signed zones); here the cases they
// cannot reach (smart-host routes) and the decision table itself.
#include <gtest/gtest.h>

#include "delivery/transport_security.h"

using namespace postern;
using namespace postern::delivery;

namespace {

smtp::Hop hop(const std::string& name) {
  smtp::Hop h;
  h.name = name;
  h.ip = "127.0.0.1";
  return h;
}

StsAnswer policy(mtasts::Mode mode, std::vector<std::string> mx) {
  StsAnswer a;
  a.policy = mtasts::Policy{mode, std::move(mx), 86400};
  a.note = "policy id 1 (fetched)";
  return a;
}

SecurityInput direct(const StsAnswer* sts, const std::string& require_tls = "", bool secure = false) {
  SecurityInput in;
  in.domain = "example.test";
  in.direct = true;
  in.mx_secure = secure;
  in.sts = sts;
  in.require_tls = require_tls;
  return in;
}

queue::Outcome temp(const std::string& code) { return {queue::Outcome::TempFail, "451 " + code + " x", code, ""}; }

}  // namespace

TEST(SecurityPlan, NoPolicyLeavesHopsOpportunistic) {
  std::vector<smtp::Hop> hops{hop("mx.example.test")};
  SecurityPlan plan;
  EXPECT_FALSE(plan.apply(direct(nullptr), hops));
  EXPECT_EQ(hops[0].tls, smtp::Hop::Tls::Opportunistic);
  EXPECT_FALSE(hops[0].verify);
  auto o = temp("4.7.5");
  plan.review_failure(o);
  EXPECT_EQ(o.status, queue::Outcome::TempFail);
  EXPECT_EQ(o.detail, "451 4.7.5 x");
}

TEST(SecurityPlan, EnforceKeepsListedHostsAndRequiresVerifiedTls) {
  auto sts = policy(mtasts::Mode::Enforce, {"*.example.test"});
  std::vector<smtp::Hop> hops{hop("mx1.example.test"), hop("evil.test"), hop("mx2.EXAMPLE.test")};
  SecurityPlan plan;
  EXPECT_FALSE(plan.apply(direct(&sts), hops));
  ASSERT_EQ(hops.size(), 2u);
  for (const auto& h : hops) {
    EXPECT_EQ(h.tls, smtp::Hop::Tls::Required);
    EXPECT_TRUE(h.verify);
  }
  auto o = temp("4.7.5");
  plan.review_failure(o);
  EXPECT_EQ(o.status, queue::Outcome::TempFail) << "enforce defers, it does not bounce";
  EXPECT_NE(o.detail.find("MTA-STS policy of example.test (enforce) not met"), std::string::npos);
}

TEST(SecurityPlan, EnforceWithNoListedHostDefers) {
  auto sts = policy(mtasts::Mode::Enforce, {"mx.example.test"});
  std::vector<smtp::Hop> hops{hop("other.test")};
  SecurityPlan plan;
  auto refused = plan.apply(direct(&sts), hops);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, queue::Outcome::TempFail);
  EXPECT_EQ(refused->enhanced, "4.7.5");
}

TEST(SecurityPlan, TestingModeNotesWhatEnforceWouldRefuse) {
  auto sts = policy(mtasts::Mode::Testing, {"mx.example.test"});
  std::vector<smtp::Hop> hops{hop("backup.test")};
  SecurityPlan plan;
  EXPECT_FALSE(plan.apply(direct(&sts), hops));
  EXPECT_EQ(hops.size(), 1u);
  EXPECT_FALSE(hops[0].verify);
  queue::Outcome o{queue::Outcome::Delivered, "250 ok", "2.0.0", ""};
  smtp::Transfer t;
  t.tls = "TLSv1.3";
  t.tls_verified = true;
  plan.review(o, t, hops[0]);
  EXPECT_EQ(o.status, queue::Outcome::Delivered);
  EXPECT_NE(o.detail.find("MX host backup.test is not in the policy"), std::string::npos) << o.detail;
}

TEST(SecurityPlan, RequireTlsNeedsAValidatedMx) {
  std::vector<smtp::Hop> hops{hop("mx.example.test")};
  SecurityPlan plan;
  auto refused = plan.apply(direct(nullptr, "tag"), hops);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, queue::Outcome::PermFail);
  EXPECT_EQ(refused->enhanced, "5.7.10");
  // A testing policy does not validate the MX either.
  auto testing = policy(mtasts::Mode::Testing, {"mx.example.test"});
  SecurityPlan plan2;
  EXPECT_TRUE(plan2.apply(direct(&testing, "mail"), hops));
}

TEST(SecurityPlan, RequireTlsAcceptsDnssecValidatedMx) {
  std::vector<smtp::Hop> hops{hop("mx.example.test")};
  SecurityPlan plan;
  EXPECT_FALSE(plan.apply(direct(nullptr, "mail", /*secure=*/true), hops));
  EXPECT_TRUE(plan.pass_requiretls());
  EXPECT_EQ(hops[0].tls, smtp::Hop::Tls::Required);
  EXPECT_TRUE(hops[0].verify);
  auto o = temp("4.7.4");  // no STARTTLS
  plan.review_failure(o);
  EXPECT_EQ(o.status, queue::Outcome::PermFail);
  EXPECT_EQ(o.enhanced, "5.7.10");
  auto unreachable = temp("4.4.1");
  plan.review_failure(unreachable);
  EXPECT_EQ(unreachable.status, queue::Outcome::TempFail) << "a network failure is retried";
  queue::Outcome sent{queue::Outcome::Delivered, "250 ok", "2.0.0", ""};
  smtp::Transfer t;
  t.tls = "TLSv1.3";
  t.tls_verified = true;
  plan.review(sent, t, hops[0]);
  EXPECT_NE(sent.detail.find("REQUIRETLS: MX of example.test validated by DNSSEC"), std::string::npos) << sent.detail;
}

TEST(SecurityPlan, DnssecNoteOnlyWhenDnssecWasWhatValidated) {
  // An enforce policy validated the MX: the note must not claim DNSSEC did.
  auto sts = policy(mtasts::Mode::Enforce, {"mx.example.test"});
  std::vector<smtp::Hop> hops{hop("mx.example.test")};
  SecurityPlan plan;
  EXPECT_FALSE(plan.apply(direct(&sts, "mail", /*secure=*/true), hops));
  queue::Outcome sent{queue::Outcome::Delivered, "250 ok", "2.0.0", ""};
  plan.review(sent, smtp::Transfer{}, hops[0]);
  EXPECT_EQ(sent.detail.find("DNSSEC"), std::string::npos) << sent.detail;
  // No RequireTLS demand: a secure MX answer is not worth a note.
  SecurityPlan plain;
  EXPECT_FALSE(plain.apply(direct(nullptr, "", /*secure=*/true), hops));
  plain.review(sent, smtp::Transfer{}, hops[0]);
  EXPECT_EQ(sent.detail.find("DNSSEC"), std::string::npos) << sent.detail;
}

TEST(SecurityPlan, RequireTlsThroughSmartHostKeepsImplicitTlsAndVerifies) {
  std::vector<smtp::Hop> hops{hop("smarthost.test")};
  hops[0].tls = smtp::Hop::Tls::Implicit;
  SecurityInput in;
  in.domain = "example.test";
  in.require_tls = "rule";
  SecurityPlan plan;
  EXPECT_FALSE(plan.apply(in, hops)) << "the admin chose the smart host: its name needs no DNS validation";
  EXPECT_EQ(hops[0].tls, smtp::Hop::Tls::Implicit);
  EXPECT_TRUE(hops[0].verify);
  EXPECT_FALSE(plan.pass_requiretls());
}

TEST(SecurityPlan, MissingRequireTlsAtTheLastHostBounces) {
  SecurityPlan plan;
  std::vector<smtp::Hop> hops{hop("mx.example.test")};
  plan.apply(direct(nullptr, "mail", true), hops);
  queue::Outcome o{queue::Outcome::TempFail, "550 5.7.30 mx does not support REQUIRETLS", "5.7.30", ""};
  plan.review_failure(o);
  EXPECT_EQ(o.status, queue::Outcome::PermFail);
}

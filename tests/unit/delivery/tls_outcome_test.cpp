// How a session's facts become an RFC 8460 result type for the TLS report.
#include "delivery/tls_outcome.h"

#include <gtest/gtest.h>

using namespace postern;

namespace {
smtp::Hop mx() {
  smtp::Hop h;
  h.ip = "192.0.2.7";
  h.name = "mx.far.test";
  return h;
}
}  // namespace

TEST(TlsOutcome, EncryptedSessionIsASuccess) {
  smtp::Transfer t;
  t.reached = true;
  t.tls = "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384";
  auto o = delivery::tls_outcome("far.test", mx(), t, {}, "");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->result_type, "success");
  EXPECT_EQ(o->policy_type, "no-policy-found");
  EXPECT_EQ(o->domain, "far.test");
}

TEST(TlsOutcome, PlainSessionMeansNoStarttls) {
  smtp::Transfer t;
  t.reached = true;
  t.session = {250, "2.0.0", "ok"};
  auto o = delivery::tls_outcome("far.test", mx(), t, {"sts", {"version: STSv1", "mode: testing"}}, "198.51.100.1");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->result_type, "starttls-not-supported");
  EXPECT_EQ(o->mx_host, "mx.far.test");
  EXPECT_EQ(o->receiving_ip, "192.0.2.7");
  EXPECT_EQ(o->sending_ip, "198.51.100.1");
  EXPECT_EQ(o->policy_type, "sts");
  EXPECT_EQ(o->policy_strings.size(), 2u);
}

TEST(TlsOutcome, HandshakeOrCertificateFailureIsAValidationFailure) {
  smtp::Transfer t;
  t.reached = true;
  t.session = {451, "4.7.5", "certificate of mx.far.test[192.0.2.7]:25 did not verify"};
  auto o = delivery::tls_outcome("far.test", mx(), t, {}, "");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->result_type, "validation-failure");
  EXPECT_NE(o->failure_reason.find("did not verify"), std::string::npos);
}

TEST(TlsOutcome, UnreachableHostIsNotReported) {
  smtp::Transfer t;
  t.session = {451, "4.4.1", "cannot connect"};
  EXPECT_FALSE(delivery::tls_outcome("far.test", mx(), t, {}, ""));
}

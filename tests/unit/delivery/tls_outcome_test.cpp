// How a session's facts become an RFC 8460 result type for the TLS report.
#include "delivery/tls_outcome.h"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

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

TEST(TlsOutcome, CertificateFailureSaysWhy) {
  smtp::Transfer t;
  t.reached = true;
  t.session = {451, "4.7.5", "certificate of mx.far.test[192.0.2.7]:25 did not verify: certificate has expired"};
  t.tls_verify_error = X509_V_ERR_CERT_HAS_EXPIRED;
  auto o = delivery::tls_outcome("far.test", mx(), t, {"sts", {"version: STSv1", "mode: enforce"}}, "");
  ASSERT_TRUE(o);
  EXPECT_EQ(o->result_type, "certificate-expired");
  EXPECT_EQ(o->failure_reason, t.session.text);
}

TEST(TlsOutcome, CertificateErrorsMapToRfc8460ResultTypes) {
  using delivery::certificate_result_type;
  EXPECT_EQ(certificate_result_type(X509_V_ERR_HOSTNAME_MISMATCH), "certificate-host-mismatch");
  EXPECT_EQ(certificate_result_type(X509_V_ERR_IP_ADDRESS_MISMATCH), "certificate-host-mismatch");
  EXPECT_EQ(certificate_result_type(X509_V_ERR_CERT_HAS_EXPIRED), "certificate-expired");
  for (long e : {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
                 X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE,
                 X509_V_ERR_CERT_UNTRUSTED, X509_V_ERR_INVALID_CA})
    EXPECT_EQ(certificate_result_type(e), "certificate-not-trusted") << X509_verify_cert_error_string(e);
  // Not yet valid, a bad signature, no certificate at all: none of the specific types fit.
  EXPECT_EQ(certificate_result_type(X509_V_ERR_CERT_NOT_YET_VALID), "validation-failure");
  EXPECT_EQ(certificate_result_type(X509_V_ERR_CERT_SIGNATURE_FAILURE), "validation-failure");
  EXPECT_EQ(certificate_result_type(X509_V_ERR_UNSPECIFIED), "validation-failure");
}

TEST(TlsOutcome, StsPolicyFailuresAreReportedWithoutASession) {
  delivery::StsAnswer a;
  a.note = "no _mta-sts record";
  EXPECT_FALSE(delivery::sts_failure_outcome("far.test", a)) << "no policy published is no failure";
  const std::pair<mtasts::FetchFailure, const char*> cases[] = {
      {mtasts::FetchFailure::Fetch, "sts-policy-fetch-error"},
      {mtasts::FetchFailure::Invalid, "sts-policy-invalid"},
      {mtasts::FetchFailure::Certificate, "sts-webpki-invalid"}};
  for (const auto& [failure, type] : cases) {
    a.failure = failure;
    a.note = "https://mta-sts.far.test/.well-known/mta-sts.txt answered HTTP 404";
    auto o = delivery::sts_failure_outcome("far.test", a);
    ASSERT_TRUE(o);
    EXPECT_EQ(o->result_type, type);
    EXPECT_EQ(o->policy_type, "sts");
    EXPECT_EQ(o->domain, "far.test");
    EXPECT_TRUE(o->mx_host.empty() && o->receiving_ip.empty());
    EXPECT_EQ(o->failure_reason, a.note);
  }
}

TEST(TlsOutcome, UnreachableHostIsNotReported) {
  smtp::Transfer t;
  t.session = {451, "4.4.1", "cannot connect"};
  EXPECT_FALSE(delivery::tls_outcome("far.test", mx(), t, {}, ""));
}

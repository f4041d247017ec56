// What one outbound SMTP session to a recipient domain's MX says about TLS, in RFC 8460's
// words (§4.3 result types), for tlsrpt::Recorder.
// Also the failures of the MTA-STS policy source, which have no session (§4.4).
// Collaborators: smtp::Transfer (the client's facts), StsAnswer, tlsrpt::Outcome.
// Error contract: nullopt when the session says nothing about TLS (the host could not be
// reached at all: no TLS negotiation was attempted).
// Threading: pure.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "delivery/sts_policies.h"
#include "smtp/client/client_session.h"
#include "tlsrpt/recorder.h"

namespace postern::delivery {

// The policy the session was held to: "no-policy-found", or "sts" with the policy's lines
// (set by MTA-STS when it applies a policy to the domain).
struct TlsPolicy {
  std::string type = "no-policy-found";
  std::vector<std::string> strings;
};

std::optional<tlsrpt::Outcome> tls_outcome(const std::string& domain, const smtp::Hop& hop, const smtp::Transfer& t,
                                           const TlsPolicy& policy, const std::string& sending_ip);

// The RFC 8460 §4.3.1 result type for OpenSSL's certificate verification result
// (X509_V_ERR_*): certificate-host-mismatch, certificate-expired, certificate-not-trusted,
// or validation-failure for anything else.
std::string certificate_result_type(long x509_verify_error);

// The §4.3.2 outcome (policy type "sts", no session) when the domain's MTA-STS policy could
// not be had: sts-policy-fetch-error, sts-policy-invalid or sts-webpki-invalid; nullopt when
// the answer is no failure (a policy, or no policy published).
std::optional<tlsrpt::Outcome> sts_failure_outcome(const std::string& domain, const StsAnswer& sts);

}  // namespace postern::delivery

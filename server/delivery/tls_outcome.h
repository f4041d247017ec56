// What one outbound SMTP session to a recipient domain's MX says about TLS, in RFC 8460's
// words (§4.3 result types), for tlsrpt::Recorder.
// Collaborators: smtp::Transfer (the client's facts), tlsrpt::Outcome.
// Error contract: nullopt when the session says nothing about TLS (the host could not be
// reached at all: no TLS negotiation was attempted).
// Threading: pure.
#pragma once
#include <optional>
#include <string>
#include <vector>

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

}  // namespace postern::delivery

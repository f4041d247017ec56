// Transport security for one delivery group (same recipient domain, same route, same
// RequireTLS demand): what MTA-STS (RFC 8461) and RequireTLS (RFC 8689) ask of the hops
// before the attempt, and what their failures mean after it.
//  - MTA-STS enforce: only MX hosts the policy lists, STARTTLS required, certificate
//    verified for the MX name; a failure defers (4.7.5), mail never goes out in clear.
//  - MTA-STS testing: delivered as usual; what would have failed is noted in the result.
//  - RequireTLS: the MX names must be validated (enforce policy matched, or a DNSSEC-secure
//    MX answer) and the session verified TLS, and the next hop must offer REQUIRETLS when
//    the demand came from the MAIL parameter; otherwise the recipient fails for good
//    (5.7.10, or 5.7.30 from the SMTP client) and the sender gets a DSN.
//  - "TLS-Required: No" (without REQUIRETLS) waives MTA-STS for the message.
// review() notes in a RequireTLS delivery's result how its MX was validated.
// Collaborators: RemoteAgent builds the hops and calls plan(), then review() on outcomes.
// Error contract: outcomes, never exceptions. Threading: a plan belongs to one call.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "delivery/sts_policies.h"
#include "queue/runner.h"
#include "smtp/client/client_session.h"

namespace postern::delivery {

struct SecurityInput {
  std::string domain;
  bool direct = false;              // the domain's own MX hosts (MTA-STS applies)
  bool mx_secure = false;           // DNSSEC-validated MX answer
  const StsAnswer* sts = nullptr;   // null: MTA-STS off, waived or not applicable
  std::string require_tls;          // "", "mail", "tag" or "rule"
};

class SecurityPlan {
 public:
  // Restricts and hardens `hops` in place. Returns the outcome for every recipient of the
  // group when no hop may be tried at all.
  std::optional<queue::Outcome> apply(const SecurityInput& in, std::vector<smtp::Hop>& hops);

  // Whether the REQUIRETLS parameter must be passed on to the next hop.
  bool pass_requiretls() const { return require_tls_ == "mail"; }
  // Adjusts one recipient's outcome from a session with `hop` (t: what the session saw).
  void review(queue::Outcome& o, const smtp::Transfer& t, const smtp::Hop& hop) const;
  // Adjusts the outcome when no hop could be used (the last error is in `o`).
  void review_failure(queue::Outcome& o) const;

 private:
  mtasts::Mode mode_ = mtasts::Mode::None;
  bool has_policy_ = false;
  bool validated_by_dnssec_ = false;  // RequireTLS let through on a DNSSEC-secure MX answer
  std::vector<std::string> mx_;
  std::string domain_, require_tls_;
};

}  // namespace postern::delivery

// What the remote agent needs to know about a recipient domain's MTA-STS policy
// (RFC 8461), as a narrow interface: the daemon answers it with mtasts::PolicySource
// (DNS, HTTPS fetch, cache); tests can supply their own.
// Threading: implementations are called from several runner workers at once.
#pragma once
#include <optional>
#include <string>

#include "mtasts/policy.h"

namespace postern::delivery {

struct StsAnswer {
  std::optional<mtasts::Policy> policy;  // none: the domain publishes no usable policy
  std::string note;                      // how it was found (or why not), for logs
  mtasts::FetchFailure failure = mtasts::FetchFailure::None;  // for TLS reports (RFC 8460 §4.3.2)
};

class StsPolicies {
 public:
  virtual ~StsPolicies() = default;
  virtual StsAnswer policy_for(const std::string& domain) = 0;
};

}  // namespace postern::delivery

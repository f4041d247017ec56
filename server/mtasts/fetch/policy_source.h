// The MTA-STS policy in force for a recipient domain (RFC 8461 §3 and §5): the
// `_mta-sts.<domain>` TXT record, the cached policy when its id still matches, otherwise a
// fresh HTTPS fetch from mta-sts.<domain>; when DNS or the fetch fails, an unexpired
// cached policy stays in force (a failure must not turn protection off).
// Collaborators: dns::Resolver (TXT and the policy host's addresses), PolicyCache,
// https_get with the outbound TLS context (system CAs plus tls.ca_file).
// Error contract: never throws for DNS, network or policy trouble; `note` says what
// happened (for logs and delivery reports).
// Threading: any thread; two workers may fetch the same domain at once (harmless).
#pragma once
#include <openssl/ssl.h>

#include <optional>
#include <string>

#include "dns/resolver.h"
#include "mtasts/fetch/policy_cache.h"
#include "mtasts/policy.h"

namespace postern::mtasts {

struct Lookup {
  std::optional<Policy> policy;  // none: the domain has no (usable) policy
  std::string note;              // "policy id X (cached)", "no _mta-sts record", "fetch failed: ..."
  // Set when this lookup tried to fetch and failed, even if a cached policy stays in force.
  FetchFailure failure = FetchFailure::None;
};

struct FetchOptions {
  int port = 443;
  int timeout_ms = 30000;
  SSL_CTX* tls = nullptr;  // must verify against the system CAs (plus any extra CA file)
};

class PolicySource {
 public:
  PolicySource(dns::Resolver& dns, PolicyCache& cache) : dns_(dns), cache_(cache) {}
  Lookup lookup(const std::string& domain, const FetchOptions& options, int64_t now);

 private:
  // The policy file from mta-sts.<domain>; nullopt with `why` set when there is none.
  std::optional<Policy> fetch(const std::string& domain, const FetchOptions& options, std::string& why,
                              FetchFailure& failure);

  dns::Resolver& dns_;
  PolicyCache& cache_;
};

}  // namespace postern::mtasts

// The daemon's answer to delivery::StsPolicies: mtasts::PolicySource over the daemon's
// DNS resolver, the policy cache in the data folder, and the outbound TLS context (system
// CAs plus tls.ca_file), with the port and timeout from the current settings.
// Collaborators: mtasts::PolicySource / PolicyCache; the daemon's config and TLS sources.
// Error contract: as PolicySource: never throws, the answer's note says what happened.
// Threading: any thread.
#pragma once
#include <functional>

#include "config/snapshot.h"
#include "delivery/sts_policies.h"
#include "mtasts/fetch/policy_source.h"
#include "tls/client_context.h"

namespace postern::daemon {

class StsService : public delivery::StsPolicies {
 public:
  using ConfigSource = std::function<config::SnapshotPtr()>;
  using TlsSource = std::function<tls::ClientContextPtr()>;

  StsService(dns::Resolver& dns, const std::string& cache_path, ConfigSource config, TlsSource tls)
      : cache_(cache_path), source_(dns, cache_), config_(std::move(config)), tls_(std::move(tls)) {}

  delivery::StsAnswer policy_for(const std::string& domain) override;

 private:
  mtasts::PolicyCache cache_;
  mtasts::PolicySource source_;
  ConfigSource config_;
  TlsSource tls_;
};

}  // namespace postern::daemon

#include "daemon/sts_service.h"

#include <ctime>

namespace postern::daemon {

delivery::StsAnswer StsService::policy_for(const std::string& domain) {
  auto cfg = config_();
  auto tls = tls_();  // kept alive for the fetch
  mtasts::FetchOptions options;
  options.port = int(cfg->number("delivery.mta_sts_port"));
  options.timeout_ms = int(cfg->number("delivery.connect_timeout_s") * 1000);
  options.tls = tls ? tls->raw() : nullptr;
  auto found = source_.lookup(domain, options, std::time(nullptr));
  return {found.policy, found.note, found.failure};
}

}  // namespace postern::daemon

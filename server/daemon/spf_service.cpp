#include "daemon/spf_service.h"

#include <unistd.h>

namespace postern::daemon {

spf::Checker make_spf_checker(const config::Snapshot& cfg, dns::Resolver& resolver) {
  spf::CheckerOptions o;
  o.void_lookup_limit = int(cfg.number("spf.void_lookup_limit"));
  o.receiver = cfg.text("smtp.hostname");
  if (o.receiver.empty()) {
    char name[256] = {};
    o.receiver = ::gethostname(name, sizeof name - 1) == 0 && name[0] ? name : "localhost";
  }
  return spf::Checker(resolver, o);
}

}  // namespace postern::daemon

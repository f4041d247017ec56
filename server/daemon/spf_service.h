// The SPF checker as the daemon configures it from the spf.* settings, in one place so
// the SMTP server and `postern spf check` build exactly the same one.
// Threading: make_spf_checker is pure; the Checker is safe to share between threads.
#pragma once
#include "config/snapshot.h"
#include "dns/resolver.h"
#include "spf/checker.h"

namespace postern::daemon {

spf::Checker make_spf_checker(const config::Snapshot& cfg, dns::Resolver& resolver);

}  // namespace postern::daemon

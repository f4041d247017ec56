// The data folder's layout, in one place: DIR/postern.db, DIR/queue/, DIR/mail/,
// DIR/tls/, DIR/log/, DIR/spf-cache.db, DIR/srs.key,
// DIR/dkim/ (DKIM keys), DIR/tlsrpt.db (TLS report counts). Every command and the daemon resolve paths through this.
// DIR/tls/, DIR/log/, DIR/spf-cache.db, DIR/srs.key, DIR/mta-sts-cache.db. Every command and the daemon resolve paths through this.
#pragma once
#include <string>

namespace postern::daemon {

struct DataDir {
  std::string root;

  std::string main_db() const { return root + "/postern.db"; }
  std::string queue() const { return root + "/queue"; }
  std::string mail() const { return root + "/mail"; }
  std::string tls() const { return root + "/tls"; }
  std::string logs() const { return root + "/log"; }
  std::string spf_cache() const { return root + "/spf-cache.db"; }  // SPF-4, a disposable cache
  std::string srs_key() const { return root + "/srs.key"; }  // SPF-10 secret (0600)
  std::string dkim() const { return root + "/dkim"; }         // DOMAIN/SELECTOR.pem (0600)
  std::string tlsrpt_db() const { return root + "/tlsrpt.db"; }  // TLS-4 outcomes per day
  std::string mta_sts_cache() const { return root + "/mta-sts-cache.db"; }  // TLS-3 policies, disposable

  // Creates the folder tree (mode 0750; tls 0700) if missing. Throws std::system_error.
  void create() const;
};

}  // namespace postern::daemon

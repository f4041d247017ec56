// The admin facade: every change an administrator can make (settings, domains, users,
// aliases, relay tables, the queue, the certificate) and everything it can look at (logs,
// status), validated here once for the command line and the JSON API alike. Callers never
// touch SQL or the registry's rules directly.
// Collaborators: config (registry, normalize, check_consistency), store (settings, directory,
// relay tables, access tables), queue::QueueStore, spf::Cache, log::parse_auth_failure, policy::relay_validation, tls (certificate files), log files.
// Input is checked by the pure functions of admin/input.h before anything is stored.
// Errors: bad input throws admin::Invalid naming the field; an item that does not exist throws
// admin::NotFound; a conflict (duplicate, still in use) throws store::Refused; infrastructure
// failures throw std::runtime_error. Nothing is written when a check fails.
// Threading: safe from any thread (the stores serialise their own access).
#pragma once
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "admin/input.h"
#include "dkim/key_store.h"
#include "log/auth_log.h"
#include "queue/queue_store.h"
#include "spf/cache.h"
#include "store/access_tables.h"
#include "store/directory.h"
#include "store/relay_tables.h"
#include "store/settings_store.h"
#include "admin/mta_sts_publish.h"
#include "tls/certificate_info.h"
#include "tlsrpt/reporter.h"

namespace postern::admin {

struct QueueFilter {
  std::string route;   // "local", "remote" or empty
  std::optional<bool> held;
  std::string text;    // substring of sender, recipient or id
};

struct LogPage {
  std::vector<std::string> lines;  // newest first
  size_t total = 0;                // matching lines in the current and the previous file
};

struct Status {
  long long queued_recipients = 0, queued_local = 0, queued_remote = 0, held = 0, deferred = 0;
  long long oldest_queued_at = 0;
  // Last 24 hours, oldest hour first: recipients sent (local or remote) and returned.
  std::vector<long long> sent_per_hour, bounced_per_hour;
  // SMTP refusals over the last 24 hours by reply code ("550 5.1.1"), from smtp.log.
  struct Rejects {
    long long count = 0;
    std::string example;  // the newest full reply with that code
  };
  std::map<std::string, Rejects> rejects;
};

// What the running daemon does when the facade changed something it caches.
struct Hooks {
  std::function<void()> queue_changed;        // wake the runner (retry, release)
  std::function<void()> certificate_changed;  // reload the TLS contexts
  // Queue the TLS reports about a day (TLS-4), again where already sent.
  std::function<std::vector<tlsrpt::DomainResult>(const std::string& day)> send_tls_reports;
};

// The policy engine's stores the daemon (or the CLI) already holds open; shared, so a change
// made here is seen by the running daemon at its next check.
struct SecurityStores {
  store::AccessTables* access = nullptr;
  spf::Cache* spf_cache = nullptr;
};

struct AuthFailurePage {
  std::vector<log::AuthFailure> entries;  // newest first
  size_t total = 0;                       // failures in the current and the previous file
};

struct Paths {
  std::string tls_dir;  // the generated certificate's folder
  std::string log_dir;
  std::string dkim_dir;  // DKIM keys (DIR/dkim)
};

class Admin {
 public:
  Admin(store::SettingsStore& settings, store::Directory& directory, store::RelayTables& relay,
        queue::QueueStore& queue, Paths paths, Hooks hooks = {}, SecurityStores security = {});

  // --- settings ---------------------------------------------------------------------
  // The effective value of every setting (secrets included: callers mask them).
  std::map<std::string, std::string> settings();
  // Validates every value, then the whole resulting configuration, then stores all of it in
  // one transaction. Returns the canonical values stored.
  std::map<std::string, std::string> set_settings(const std::map<std::string, std::string>& raw);
  static nlohmann::json settings_schema();

  // --- directory --------------------------------------------------------------------
  std::string add_domain(const std::string& name);
  std::string remove_domain(const std::string& name);
  std::vector<std::string> domains();
  std::string add_user(const std::string& address, const std::string& password);
  std::string set_user_password(const std::string& address, const std::string& password);
  std::string remove_user(const std::string& address);
  std::vector<std::string> users();
  store::AliasEntry add_alias(const std::string& address, const std::vector<std::string>& targets);
  std::string remove_alias(const std::string& address);
  std::vector<store::AliasEntry> aliases();
  void set_admin_password(const std::string& password);
  bool check_admin_password(const std::string& password);

  // --- relay control and routing ----------------------------------------------------
  store::TrustedNetwork add_trusted(const std::string& name, const std::vector<std::string>& networks);
  void remove_trusted(const std::string& name);
  std::vector<store::TrustedNetwork> trusted();
  store::RelayDomain add_relay_domain(const std::string& domain, const std::string& next_hop);
  void remove_relay_domain(const std::string& domain);
  std::vector<store::RelayDomain> relay_domains();
  store::RelayRule add_rule(const RuleInput& in);
  void remove_rule(const std::string& name);
  std::vector<store::RelayRule> rules();
  store::HostCredentials set_credentials(const std::string& host, const std::string& username, const std::string& password);
  void remove_credentials(const std::string& host);
  std::vector<store::HostCredentials> credentials();

  // --- queue ------------------------------------------------------------------------
  std::vector<queue::Envelope> queue_list(const QueueFilter& filter);
  // The message's recipients and its header section; throws NotFound.
  std::pair<std::vector<queue::Envelope>, std::string> queue_show(const std::string& id);
  void queue_change(const std::string& id, queue::QueueStore::Change what);

  // --- black and white lists, client blocks, auth failures, SPF cache (security.cpp) ---
  std::vector<store::AccessRow> security_rules();
  // Validated like `postern access add`; the type "sender_domain" is accepted for "domain".
  store::AccessRow add_security_rule(const SecurityRuleInput& in);
  void remove_security_rule(int64_t id);
  std::vector<store::ClientBlock> blocks();
  // until: Unix seconds in the future, or 0 for "until lifted".
  store::ClientBlock add_block(const std::string& ip, const std::string& reason, int64_t until);
  void lift_block(const std::string& ip);
  AuthFailurePage auth_failures(size_t offset, size_t limit);
  // ACC-2's "block this IP": a blacklist rule (reject) for the address, like `postern authlog block`.
  store::AccessRow blacklist_ip(const std::string& ip);
  std::vector<spf::Cache::Entry> spf_cache();
  int clear_spf_cache();

  // --- DKIM keys (dkim_keys.cpp) and TLS reports (tls_reports.cpp) ------------------
  // A new key for a hosted domain; selector empty: "postern" + the year and month.
  // Invalid names the field (domain, selector); store::Refused when the domain has a key.
  dkim::Key generate_dkim_key(const std::string& domain, const std::string& selector);
  std::vector<dkim::Key> dkim_keys();
  dkim::Key dkim_key(const std::string& domain);  // throws NotFound
  void delete_dkim_key(const std::string& domain);  // throws NotFound
  // day: "YYYY-MM-DD", empty for yesterday (UTC). Invalid names "date".
  std::vector<tlsrpt::DomainResult> send_tls_reports(const std::string& day);
  void set_tls_report_sender(std::function<std::vector<tlsrpt::DomainResult>(const std::string&)> f) {
    hooks_.send_tls_reports = std::move(f);
  }

  // --- logs, certificate, status ----------------------------------------------------
  static const std::vector<std::string>& log_names();  // "smtp", "delivery", "auth", "daemon"
  LogPage read_log(const std::string& name, const std::string& filter, size_t offset, size_t limit);
  // The certificate in use: tls.cert_file, or the generated one.
  tls::CertificateInfo certificate();
  tls::CertificateInfo generate_certificate();
  tls::CertificateInfo upload_certificate(const std::string& chain_pem, const std::string& key_pem);
  Status status();

  // --- MTA-STS publishing (mta_sts_publish.cpp) ----------------------------------------
  // The policy, its id and the DNS records for every hosted domain, with warnings about
  // the certificate in use.
  StsPublication mta_sts();
  // The policy file for a request to Host `host_header`: nullopt when it names
  // mta-sts.DOMAIN of a domain not hosted here.
  std::optional<std::string> mta_sts_policy_for(const std::string& host_header);

 private:
  std::string hostname();
  store::AccessTables& access();
  spf::Cache& cache();

  store::SettingsStore& settings_;
  store::Directory& directory_;
  store::RelayTables& relay_;
  queue::QueueStore& queue_;
  Paths paths_;
  Hooks hooks_;
  SecurityStores security_;
};

}  // namespace postern::admin

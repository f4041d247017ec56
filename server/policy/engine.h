// The one policy engine: every acceptance decision of the SMTP server is taken here, as
// ordered lists of checks per SMTP stage, built once from a declarative table (engine.cpp)
// and switched on and off by the settings of the snapshot in force. Each check returns a
// Verdict: Continue (next check), Permit (skip the rest of the stage), Reject, Discard or
// Defer. Every refusal carries its own reply and reason and is counted in stats().
//
// Stages and their checks, in order (setting in brackets when it has one):
//   Connect  client.block (stored blocks) · client.access (ip/cidr lists) ·
//            client.pipelining [security.reject_unauth_pipelining] ·
//            anvil.connections [security.limit_client_connections / _connection_rate]
//   Helo     judged at the first MAIL after HELO/EHLO, so a client may authenticate first
//            (Postfix's smtpd_delay_reject): permit own network or authenticated ·
//            client.unknown_hostname [security.reject_unknown_client_hostname] ·
//            helo.non_fqdn [security.reject_non_fqdn_helo] · helo.unknown [security.reject_unknown_helo]
//   Mail     client.pipelining · submission.auth · sender.login [smtp.check_sender_login] ·
//            anvil.messages [security.limit_client_messages] · sender.access (sender/domain lists) ·
//            sender.non_fqdn [security.reject_non_fqdn_sender] · then added checks (SPF)
//   Rcpt     client.pipelining · recipient.access · recipient.resolve (local users, aliases,
//            relay domains, the relay rule, routing; nonexistent-account blocking
//            [security.block_unknown_recipients]) · sender.unknown_domain
//            [security.reject_unknown_sender_domain] · then added checks
//   Data     client.pipelining (DATA must end a pipelined group) · then added checks
//   EndOfData  added checks only (none built in yet)
// Other components add their checks with add_check() at wiring time; a check sees the
// whitelist matches so far in ctx.whitelist (SEC-2) and skips itself when told. At Mail
// that is the client and sender/domain entries; a check that must also honour recipient
// whitelists judges at Mail, holds its refusal in ctx.held, and applies it at Rcpt to
// each recipient ctx.rcpt_whitelist does not exempt (SPF does so: daemon/spf_check.h).
//
// The relay rule has no setting that opens it: relay is allowed only to an authenticated
// client, a LAN client the settings trust, or a trusted network — and networks wider than
// /8 (/16 for IPv6) are refused when they are configured. A lookup or DNS failure is a
// Defer (4xx), never an accept.
// Threading: safe from any thread (the stores lock; the snapshot is immutable; the rule
// cache and the anvil lock); add_check() only before the first session.
#pragma once
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/snapshot.h"
#include "dns/resolver.h"
#include "mail/address.h"
#include "mail/routing.h"
#include "policy/access_rules.h"
#include "policy/anvil.h"
#include "policy/context.h"
#include "policy/session_facts.h"
#include "policy/stats.h"
#include "policy/verdict.h"
#include "store/access_tables.h"
#include "store/directory.h"
#include "store/relay_tables.h"

namespace postern::policy {

struct RecipientDecision {
  Verdict verdict;
  std::vector<mail::RoutedRecipient> recipients;  // filled when accepted (empty for Discard)
};

struct Check {
  std::string name;
  Stage stage;
  std::function<bool(const config::Snapshot&)> enabled;  // null: always on
  std::function<Verdict(Context&, const config::Snapshot&)> run;
};

class Engine {
 public:
  Engine(store::Directory& directory, store::RelayTables& relay, store::AccessTables& access, dns::Resolver& dns);

  // Appends a check to the end of its stage's list.
  void add_check(Check check);

  // The stages, called by the session. A refused Connect verdict ends the session; a
  // Connect verdict that was accepted owes one disconnect() at the end of the session.
  Verdict on_connect(Context& ctx, const config::Snapshot& cfg);
  void disconnect(Context& ctx);
  Verdict check_mail(Context& ctx, const mail::Address& sender, const config::Snapshot& cfg);
  RecipientDecision check_rcpt(Context& ctx, const mail::Address& rcpt, const config::Snapshot& cfg);
  Verdict check_data(Context& ctx, const config::Snapshot& cfg);
  Verdict check_end_of_data(Context& ctx, const config::Snapshot& cfg);
  // A NOOP, VRFY, ETRN or RSET (SEC-5): Continue, or a 421 once over the limit.
  // `delay_s` is set to the seconds the session should wait before answering.
  Verdict junk_command(Context& ctx, const config::Snapshot& cfg, int& delay_s);
  // A message was accepted: the junk-command allowance starts again.
  void message_accepted(Context& ctx) { ctx.junk_commands = 0; }

  // Blocks a client address until `until` (Unix seconds; 0 never expires), with a reason
  // shown by `postern block list`. Used by ACC-3 and the unknown-recipient rule.
  void block_client(const std::string& ip, const std::string& reason, int64_t until);
  // Counts a refusal decided outside the stages (ACC-3).
  void count(const std::string& reason) { stats_.count(reason); }

  // Whether some recipient whitelist entry exists that exempts its recipient from SPF (SEC-2).
  bool recipient_whitelist_skips_spf();
  // Whether the client address is in a trusted-network rule (RLY-1). Call once per session.
  bool is_trusted(const util::IpAddress& client);
  // Routes mail Postern itself generates (bounces): no acceptance checks, same routing.
  // May return nothing (unknown local recipient). Throws on lookup failure.
  std::vector<mail::RoutedRecipient> route_system_mail(const mail::Address& rcpt, const config::Snapshot& cfg);
  std::vector<std::string> hosted_domains() { return directory_.domains(); }
  // Whether this session may send to non-local recipients at all.
  bool may_relay(const SessionFacts& s, const config::Snapshot& cfg) const;

  const Stats& stats() const { return stats_; }
  Anvil& anvil() { return anvil_; }

 private:
  Verdict run_stage(Stage stage, Context& ctx, const config::Snapshot& cfg);
  std::shared_ptr<const AccessRuleSet> access_rules();

  // Checks (client_checks.cpp, sender_checks.cpp, recipient_checks.cpp).
  Verdict client_block(Context& ctx);
  Verdict client_access(Context& ctx);
  Verdict client_pipelining(Context& ctx, Stage stage);
  Verdict anvil_connections(Context& ctx, const config::Snapshot& cfg);
  Verdict client_unknown_hostname(Context& ctx);
  Verdict helo_non_fqdn(Context& ctx);
  Verdict helo_unknown(Context& ctx);
  Verdict submission_auth(Context& ctx, const config::Snapshot& cfg);
  Verdict sender_login(Context& ctx, const config::Snapshot& cfg);
  Verdict anvil_messages(Context& ctx, const config::Snapshot& cfg);
  Verdict sender_access(Context& ctx);
  Verdict sender_non_fqdn(Context& ctx);
  Verdict recipient_access(Context& ctx);
  Verdict recipient_resolve(Context& ctx, const config::Snapshot& cfg);
  Verdict unknown_recipient(Context& ctx, const config::Snapshot& cfg, Verdict refusal);
  Verdict sender_unknown_domain(Context& ctx);

  RecipientDecision resolve(const SessionFacts& s, const mail::Address& rcpt, const config::Snapshot& cfg);
  // How a remote recipient leaves: "direct", "smarthost", "rule:NAME" or "relay:DOMAIN".
  std::string transport_for(const mail::Address& sender, const std::string& rcpt_key, const config::Snapshot& cfg);
  bool owns_address(const std::string& user, const mail::Address& sender);
  // Expands aliases into final recipients; sets `loop` when a cycle or the depth limit cut it.
  void expand(const std::string& key, const mail::Address& original, int depth, std::vector<std::string>& seen,
              std::vector<mail::RoutedRecipient>& out, bool& loop, bool& unknown);

  store::Directory& directory_;
  store::RelayTables& relay_;
  store::AccessTables& access_;
  dns::Resolver& dns_;
  std::vector<Check> checks_;
  Stats stats_;
  Anvil anvil_;
  std::mutex rules_mu_;
  long long rules_serial_ = -1;
  std::shared_ptr<const AccessRuleSet> rules_;
};

}  // namespace postern::policy

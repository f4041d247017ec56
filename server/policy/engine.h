// The one policy engine: every acceptance decision of the SMTP server is taken here, in
// order, per stage. Checks: submission needs authentication (MAIL), sender ownership for
// authenticated users (GEN-3), recipient resolution with alias expansion, relay domains
// (RLY-2) and the relay rule (GEN-1, GEN-2, RLY-1, RLY-3), and the outbound route of each
// remote recipient (DLV-1..3). The relay rule has no setting that opens it: relay is allowed
// only to an authenticated client, a LAN client the settings trust, or a trusted network —
// and networks wider than /8 (/16 for IPv6) are refused when they are configured.
// A lookup failure is a TempFail (4xx), never an accept.
// Threading: safe from any thread (the directory locks; the snapshot is immutable).
#pragma once
#include <string>
#include <vector>

#include "config/snapshot.h"
#include "mail/address.h"
#include "mail/routing.h"
#include "policy/session_facts.h"
#include "policy/verdict.h"
#include "store/directory.h"
#include "store/relay_tables.h"

namespace postern::policy {

struct RecipientDecision {
  Verdict verdict;
  std::vector<mail::RoutedRecipient> recipients;  // filled when accepted
};

class Engine {
 public:
  Engine(store::Directory& directory, store::RelayTables& relay) : directory_(directory), relay_(relay) {}

  Verdict check_mail(const SessionFacts& s, const mail::Address& sender, const config::Snapshot& cfg);
  RecipientDecision check_rcpt(const SessionFacts& s, const mail::Address& sender, const mail::Address& rcpt,
                               const config::Snapshot& cfg);
  // Whether the client address is in a trusted-network rule (RLY-1). Call once per session.
  bool is_trusted(const util::IpAddress& client);
  // Routes mail Postern itself generates (bounces): no acceptance checks, same routing.
  // May return nothing (unknown local recipient). Throws on lookup failure.
  std::vector<mail::RoutedRecipient> route_system_mail(const mail::Address& rcpt, const config::Snapshot& cfg);
  std::vector<std::string> hosted_domains() { return directory_.domains(); }
  // Whether this session may send to non-local recipients at all.
  bool may_relay(const SessionFacts& s, const config::Snapshot& cfg) const;

 private:
  RecipientDecision resolve(const SessionFacts& s, const mail::Address& rcpt, const config::Snapshot& cfg);
  // How a remote recipient leaves: "direct", "smarthost", "rule:NAME" or "relay:DOMAIN".
  std::string transport_for(const mail::Address& sender, const std::string& rcpt_key, const config::Snapshot& cfg);
  bool owns_address(const std::string& user, const mail::Address& sender);
  // Expands aliases into final recipients; sets `loop` when a cycle or the depth limit cut it.
  void expand(const std::string& key, const mail::Address& original, int depth, std::vector<std::string>& seen,
              std::vector<mail::RoutedRecipient>& out, bool& loop, bool& unknown);

  store::Directory& directory_;
  store::RelayTables& relay_;
};

}  // namespace postern::policy

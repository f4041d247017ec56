// The one policy engine: every acceptance decision of the SMTP server is taken here, in
// order, per stage. Foundation checks: submission needs authentication (MAIL), sender
// ownership for authenticated users (GEN-3), recipient resolution with alias expansion and
// the relay rule (GEN-1, GEN-2, RLY-3). The relay rule has no setting that opens it: relay
// is allowed only to an authenticated client, or to a LAN client the settings trust.
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

namespace postern::policy {

struct RecipientDecision {
  Verdict verdict;
  std::vector<mail::RoutedRecipient> recipients;  // filled when accepted
};

class Engine {
 public:
  explicit Engine(store::Directory& directory) : directory_(directory) {}

  Verdict check_mail(const SessionFacts& s, const mail::Address& sender, const config::Snapshot& cfg);
  RecipientDecision check_rcpt(const SessionFacts& s, const mail::Address& rcpt, const config::Snapshot& cfg);
  // Routes mail Postern itself generates (bounces): no acceptance checks, same routing.
  // May return nothing (unknown local recipient). Throws on lookup failure.
  std::vector<mail::RoutedRecipient> route_system_mail(const mail::Address& rcpt, const config::Snapshot& cfg);
  // Whether this session may send to non-local recipients at all.
  bool may_relay(const SessionFacts& s, const config::Snapshot& cfg) const;

 private:
  RecipientDecision resolve(const SessionFacts& s, const mail::Address& rcpt, const config::Snapshot& cfg);
  std::string transport_for(const config::Snapshot& cfg) const;
  bool owns_address(const std::string& user, const mail::Address& sender);
  // Expands aliases into final recipients; sets `loop` when a cycle or the depth limit cut it.
  void expand(const std::string& key, const mail::Address& original, int depth, std::vector<std::string>& seen,
              std::vector<mail::RoutedRecipient>& out, bool& loop, bool& unknown);

  store::Directory& directory_;
};

}  // namespace postern::policy

// SPF at the SMTP server (SPF-1..9, SPF-11): from the spf.* settings, the session's facts
// and a Checker, the decision for a MAIL FROM: accept (with the Received-SPF headers and
// spam-score adjustment to add at end of data), reject 550 5.7.23 on fail (RFC 7372),
// optionally closing the connection, or defer 451 4.7.24 on temperror (a DNS failure
// never lets mail through unchecked, and never rejects it for good).
// Both identities are checked at MAIL FROM time, HELO first (RFC 7208 §2.3), because
// only then is it known whether the session authenticated (SPF-2).
// Collaborators: spf::Checker, spf::Cache (may be null: no cache), config::Snapshot.
// The policy engine runs screen() as its "spf" check at MAIL and applies a refusal per
// recipient at RCPT (daemon/spf_check.h); the session inserts Decision::headers, kept
// under kHeadersNote, in commands/data.cpp.
// Error contract: never throws for input or DNS trouble.
// Threading: any thread; a Gate is shared by all sessions.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "config/snapshot.h"
#include "mail/routing.h"
#include "dns/resolver.h"
#include "spf/cache.h"
#include "spf/checker.h"
#include "spf/srs.h"

namespace postern::spf {

// The Checker as the spf.* and smtp.hostname settings make it: the SMTP server and
// `postern spf check` both build theirs here.
Checker make_checker(const config::Snapshot& cfg, dns::Resolver& resolver);

// The header carrying the per-message spam score (SPF-6, SPF-7).
// XXX: a score header the sender put into the message is not removed; ours is prepended,
// so a consumer must read the first one.
inline constexpr const char* kSpamScoreHeader = "X-Postern-Spam-Score";
// Where the SPF policy check leaves Decision::headers for the end of data (policy::Context::notes).
inline constexpr const char* kHeadersNote = "spf.headers";

struct GateFacts {
  util::IpAddress client;
  std::string helo;
  std::string sender;  // MAIL FROM address, empty for the null sender
  bool authenticated = false;
  bool trusted = false;  // in network.lan or a trusted-network rule
};

struct Decision {
  enum class Action { Accept, Reject, RejectAndClose, Defer };
  Action action = Action::Accept;
  int code = 250;
  std::string enhanced, text;  // the reply when not accepted
  std::string headers;         // CRLF-terminated lines to prepend at end of data
  int score = 0;               // spam-score adjustment for the message
  std::string log;             // one line for the session log, empty when nothing was checked
};

// One queue message's worth of recipients and the envelope sender they leave with.
struct Envelope {
  std::string sender;
  std::vector<mail::RoutedRecipient> recipients;
};

class Gate {
 public:
  Gate(dns::Resolver& resolver, Cache* cache, const Srs* srs = nullptr) : resolver_(resolver), cache_(cache), srs_(srs) {}
  Decision screen(const GateFacts& facts, const config::Snapshot& cfg);

  // SPF-10 (spf.forward_local_sender): recipients an alias forwards to an outside address
  // get their own envelope whose sender is the SRS form in the alias's domain; the others
  // keep `sender`. Senders in a hosted domain, the null sender and SRS senders are kept.
  std::vector<Envelope> envelopes(const std::string& sender, std::vector<mail::RoutedRecipient> recipients,
                                  const std::vector<std::string>& hosted_domains, const config::Snapshot& cfg) const;
  // The original sender of a bounce recipient that is an SRS address of a hosted domain.
  std::optional<std::string> reverse_srs(const std::string& rcpt, const std::vector<std::string>& hosted_domains) const;

 private:
  Verdict check(Checker& checker, const GateFacts& f, bool helo_identity, bool use_cache);

  dns::Resolver& resolver_;
  Cache* cache_;
  const Srs* srs_;
};

}  // namespace postern::spf

// SPF at the SMTP server (SPF-1..9, SPF-11): from the spf.* settings, the session's facts
// and a Checker, the decision for a MAIL FROM: accept (with the Received-SPF headers and
// spam-score adjustment to add at end of data), reject 550 5.7.23 on fail (RFC 7372),
// optionally closing the connection, or defer 451 4.7.24 on temperror (a DNS failure
// never lets mail through unchecked, and never rejects it for good).
// Both identities are checked at MAIL FROM time, HELO first (RFC 7208 §2.3), because
// only then is it known whether the session authenticated (SPF-2).
// Collaborators: spf::Checker, spf::Cache (may be null: no cache), config::Snapshot.
// The SMTP session calls screen() from commands/mail_from.cpp and inserts
// Decision::headers in commands/data.cpp.
// Error contract: never throws for input or DNS trouble.
// Threading: any thread; a Gate is shared by all sessions.
#pragma once
#include <string>

#include "config/snapshot.h"
#include "dns/resolver.h"
#include "spf/cache.h"
#include "spf/checker.h"

namespace postern::spf {

// The Checker as the spf.* and smtp.hostname settings make it: the SMTP server and
// `postern spf check` both build theirs here.
Checker make_checker(const config::Snapshot& cfg, dns::Resolver& resolver);

// The header carrying the per-message spam score (SPF-6, SPF-7).
inline constexpr const char* kSpamScoreHeader = "X-Postern-Spam-Score";

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

class Gate {
 public:
  Gate(dns::Resolver& resolver, Cache* cache) : resolver_(resolver), cache_(cache) {}
  Decision screen(const GateFacts& facts, const config::Snapshot& cfg);

 private:
  Verdict check(Checker& checker, const GateFacts& f, bool helo_identity, bool use_cache);

  dns::Resolver& resolver_;
  Cache* cache_;
};

}  // namespace postern::spf

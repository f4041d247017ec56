// What the policy engine knows about one SMTP session and its current transaction. The
// session owns it, fills in the facts (who, which port, TLS, authentication, HELO name,
// whether the client sent ahead) and hands it to every Engine stage; the engine keeps its
// own per-session results here too (whitelist matches, discard marks, the HELO verdict).
// Threading: belongs to the session's thread.
#pragma once
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "mail/address.h"
#include "mail/routing.h"
#include "policy/access_rules.h"
#include "policy/session_facts.h"
#include "policy/verdict.h"

namespace postern::policy {

enum class Stage { Connect, Helo, Mail, Rcpt, Data, EndOfData };
const char* stage_name(Stage s);

struct Context {
  SessionFacts facts;
  std::string helo;            // HELO/EHLO name, empty before
  bool esmtp = false;          // EHLO (PIPELINING offered) rather than HELO
  // Set by the session before each stage: the client had already sent more bytes than the
  // command being judged (before the greeting, at the Connect stage).
  bool input_ahead = false;

  // The transaction (cleared by reset_transaction()).
  std::optional<mail::Address> sender;
  const mail::Address* rcpt = nullptr;         // the recipient being judged (Rcpt stage)
  WhitelistMatch rcpt_whitelist;               // whitelist entries matching that recipient alone
  std::vector<mail::RoutedRecipient> routed;   // what the Rcpt stage resolved it to
  WhitelistMatch whitelist;                    // client + sender + recipients so far (SEC-2)
  bool discard = false;                        // the message is accepted, then dropped
  std::string discard_reason;
  int discarded_recipients = 0;                // recipients accepted only to be dropped
  std::optional<bool> sender_domain_known;     // SEC-3 answer, asked once per transaction
  // Results added checks keep for later stages of the same transaction, e.g. an SPF check
  // at RCPT noting "spf" -> "pass" once for the end-of-data Received-SPF header.
  std::map<std::string, std::string> notes;
  // Refusals a Mail-stage check decided but left to its Rcpt-stage half, because some
  // recipients may be exempt (SPF: a recipient whitelist entry skips it, SEC-2).
  std::map<std::string, Verdict> held;

  // Lines a check wants in the session's log (it has no session id to log with); the
  // session writes and clears them after each stage. Kept across reset_transaction().
  std::vector<std::string> log_lines;

  // Per session, kept by the engine.
  WhitelistMatch client_whitelist;  // ip/cidr whitelist entries matching the client
  bool client_discard = false;      // the client is blacklisted with action discard
  bool anvil_open = false;          // counted as an open connection (disconnect() owed)
  std::string helo_judged;          // the HELO name the Helo stage verdict is for
  Verdict helo_verdict;
  long long junk_commands = 0;      // NOOP/VRFY/ETRN/RSET since the last message

  void reset_transaction() {
    sender.reset();
    rcpt = nullptr;
    rcpt_whitelist = {};
    routed.clear();
    whitelist = client_whitelist;
    discard = client_discard;
    discard_reason = client_discard ? "client.blacklist" : "";
    discarded_recipients = 0;
    sender_domain_known.reset();
    notes.clear();
    held.clear();
  }
};

}  // namespace postern::policy

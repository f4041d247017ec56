// Where one accepted recipient goes, decided once at RCPT time and stored with the
// envelope, so delivery executes the decision and never re-runs acceptance policy.
#pragma once
#include <string>

namespace postern::mail {

enum class Route { Local, Remote };

struct RoutedRecipient {
  std::string address;   // final envelope recipient (after alias expansion)
  std::string original;  // the RCPT TO address the client sent
  Route route = Route::Local;
  std::string mailbox;   // Local: the owning user's address key (names the Maildir)
  std::string transport; // Remote: how it leaves — "direct", "smarthost" (more kinds with relay rules)
  // RFC 8689 RequireTLS: "" (normal), "mail" (the REQUIRETLS MAIL parameter: passed on to
  // the next hop), "tag" (sent to user+requiretls@...) or "rule" (smtp.requiretls_rules).
  std::string require_tls;
};

inline const char* route_name(Route r) { return r == Route::Local ? "local" : "remote"; }

}  // namespace postern::mail

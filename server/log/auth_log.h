// ACC-2: the authentication-failure log. Every protocol that checks a password (SMTP now,
// IMAP and the admin panel later) calls auth_failure() for each refused login; the line
// goes to DIR/log/auth.log in a parseable form that `postern authlog` (and the API later)
// reads back with parse_auth_failure():
//
//   2026-11-26T14:03:00.123Z S1a2b3c auth-failure protocol=smtp session=S1a2b3c ip=192.0.2.7
//       login=alice@example.com account=alice@example.com mechanism=PLAIN reason=bad-credentials
//
// (one line). Values are percent-encoded where they hold spaces, '%', '=' or control
// characters, so a login tried by a stranger cannot forge fields. `account` is the account
// the login names when it exists, else "none". Passwords are never logged.
// Threading: any thread (log::write locks).
#pragma once
#include <optional>
#include <string>

namespace postern::log {

struct AuthFailure {
  std::string protocol;   // "smtp", "imap", "admin"
  std::string session;    // the session id of the protocol's own log
  std::string ip;         // client address
  std::string login;      // the user name tried, as sent
  std::string account;    // the existing account it names; empty for none
  std::string mechanism;  // "PLAIN", "LOGIN", ...
  std::string reason;     // "bad-credentials", "authzid-mismatch", "auth-on-mx", ...
  std::string time;       // filled by parse_auth_failure: the line's timestamp
};

void auth_failure(const AuthFailure& failure);

// Reads one line of auth.log; nullopt for lines that are not authentication failures.
std::optional<AuthFailure> parse_auth_failure(const std::string& line);

// Percent-encoding used in the line (exposed for tests).
std::string encode_field(const std::string& value);
std::string decode_field(const std::string& value);

}  // namespace postern::log

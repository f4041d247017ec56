// RFC 7208 §7 macro-strings: syntax check and expansion. libspf2 expands the macros of
// the mechanisms itself; Postern expands those of redirect= (to follow which record
// produced a fail), of exp= and of the explanation text (CORRECTION(exp-ours)).
// Collaborators: record.cpp (syntax), checker.cpp (expansion with the check's facts).
// Error contract: nullopt for a malformed macro-string; the caller decides (permerror in
// a record, "ignore the explanation" for an explanation text).
// Threading: pure functions.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace postern::spf {

struct MacroContext {
  std::string sender;      // s: full <sender> (local@domain)
  std::string local_part;  // l
  std::string sender_domain;  // o
  std::string domain;      // d: the <domain> of the current check_host()
  std::string ip;          // c: readable form
  std::string ip_dotted;   // i: dotted quads or dot-separated nibbles
  bool ipv6 = false;       // v: "ip6" or "in-addr"
  std::string helo;        // h
  std::string validated_name = "unknown";  // p
  std::string receiver = "unknown";        // r
  long long timestamp = 0;                 // t
};

// `explanation` allows the c, r and t letters (RFC 7208 §7.2).
bool valid_macro_string(std::string_view s, bool explanation);
std::optional<std::string> expand(std::string_view s, const MacroContext& ctx, bool explanation);

}  // namespace postern::spf

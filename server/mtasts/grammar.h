// ABNF pieces RFC 8461 uses in both the TXT record (§3.1, sts-ext-name, WSP) and the policy
// file (§3.2, sts-policy-ext-name, WSP): one definition for record.cpp and policy.cpp.
// Error contract: pure predicates. Threading: pure.
#pragma once
#include <cctype>
#include <string_view>

namespace postern::mtasts::grammar {

inline bool alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// (ALPHA / DIGIT) 0*31(ALPHA / DIGIT / "_" / "-" / ".")
inline bool extension_name(std::string_view s) {
  if (s.empty() || s.size() > 32 || !alnum(s[0])) return false;
  for (char c : s)
    if (!alnum(c) && c != '_' && c != '-' && c != '.') return false;
  return true;
}

// WSP = SP / HTAB (RFC 5234), around separators in both formats.
inline bool wsp(char c) { return c == ' ' || c == '\t'; }

inline std::string_view trim_wsp(std::string_view s) {
  while (!s.empty() && wsp(s.front())) s.remove_prefix(1);
  while (!s.empty() && wsp(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace postern::mtasts::grammar

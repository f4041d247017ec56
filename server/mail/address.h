// RFC 5321 mailbox addresses and reverse/forward paths. Pure parsing, no lookups.
// Domains are stored lower-cased; the local part keeps its case (RFC 5321 §2.4) and
// lookups fold it through `key()`.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace postern::mail {

struct Address {
  std::string local;
  std::string domain;

  bool empty() const { return local.empty() && domain.empty(); }  // the null path <>
  std::string str() const { return empty() ? std::string() : local + "@" + domain; }
  // Case-folded form used as a lookup key for users and aliases.
  std::string key() const;
  // Local part with a "+detail" suffix removed (sub-addressing), lower-cased, with the domain.
  std::string base_key() const;

  // Parses "local@domain" (no angle brackets). `utf8` allows RFC 6531 UTF-8 in both parts.
  static std::optional<Address> parse(std::string_view text, bool utf8 = false);
};

bool valid_domain(std::string_view domain, bool utf8 = false);

// Parses an SMTP path "<...>" at the start of `text` (source route ignored). On success
// returns the address and sets `rest` to what follows the closing '>'. `allow_null`
// accepts "<>" (reverse-path only).
std::optional<Address> parse_path(std::string_view text, bool allow_null, bool utf8, std::string_view& rest);

}  // namespace postern::mail

// RFC 7208 record syntax, checked strictly where libspf2 1.2.10 is lax: every term of an
// SPF record is parsed against the §12 ABNF (qualifiers, mechanisms, CIDR lengths, macro
// syntax, domain-end/toplabel), duplicate redirect=/exp= are refused, and the record is
// re-serialised into the form handed to libspf2 (see for_libspf2()).
// Collaborators: macro.h validates macro-strings; dns_layer.cpp parses every TXT answer
// that holds an SPF record through here before libspf2 sees it.
// Error contract: parse() returns nullopt and fills `error` for any syntax error; the
// caller turns that into permerror (RFC 7208 §4.6). No exceptions for bad input.
// Threading: pure functions.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::spf {

struct Term {
  enum class Kind { All, Include, A, Mx, Ptr, Ip4, Ip6, Exists, Redirect, Exp, Unknown };
  Kind kind = Kind::All;
  char qualifier = '+';     // mechanisms only
  std::string text;         // the term as published, qualifier included
  std::string domain_spec;  // include/a/mx/ptr/exists/redirect/exp; may be empty for a/mx/ptr
  std::string network;      // ip4/ip6 address part
  int cidr4 = -1, cidr6 = -1;  // -1: not given
};

struct Record {
  std::vector<Term> terms;
  const Term* redirect() const;
  const Term* exp() const;
  bool has_all() const;
};

// Whether `txt` is an SPF record: "v=spf1" (case-insensitive) then a space or the end.
bool is_spf_record(std::string_view txt);
std::optional<Record> parse(std::string_view txt, std::string& error);

// The record as libspf2 is given it. Corrections:
//  - CORRECTION(cidr-zero): libspf2 refuses "/0" as an invalid CIDR length; RFC 7208 §5.6
//    allows it. "ip4:N/0" becomes the two halves "ip4:0.0.0.0/1 ip4:128.0.0.0/1" (same
//    qualifier: equivalent, and ip4/ip6 cost no DNS lookup), likewise for ip6.
//  - CORRECTION(cidr-zero) for a and mx: "a:D/0" (any address of the client's family
//    matches) cannot be said to libspf2, so the term becomes "a:D.<kCidrZeroLabel>4" and
//    the DNS layer strips the label and answers the A lookup with the client's own address
//    when D has any (mx: the MX names carry the label on to their address lookups).
//  - CORRECTION(redirect-with-all): a record with an "all" mechanism ignores redirect=
//    (RFC 7208 §6.1); libspf2 still follows it (and calls "redirect to self" recursion).
//  - CORRECTION(exp-ours): exp= is removed: Postern evaluates the explanation itself
//    (libspf2 mangles explanation strings, and its exp lookup would count towards the
//    lookup limits and turn a DNS error there into an error of the whole check).
//  - unknown modifiers are removed (RFC 7208 §6: ignored), once their syntax was checked.
std::string for_libspf2(const Record& r, const std::string& zero_label);

}  // namespace postern::spf

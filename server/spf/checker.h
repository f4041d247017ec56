// SPF verdicts (RFC 7208) for a client IP, HELO name and MAIL FROM sender: libspf2 does
// the evaluation, asking Postern's dns::Resolver through dns_layer.h, and Postern corrects
// it around the edges where libspf2 1.2.10 is wrong (each correction is named
// CORRECTION(...) where it is made: record.h, dns_layer.h, here).
// Collaborators: dns::Resolver (the daemon's DnsService, so the SMTP server, the CLI and
// the tests share the configured nameservers); libspf2.
// Error contract: never throws for any input; every problem is a Result (temperror for
// DNS trouble, permerror for broken records, none for unusable identities).
// Threading: a Checker is stateless apart from its options; check_* may run concurrently
// (each check builds its own libspf2 server and DNS layer).
#pragma once
#include <cstdint>
#include <string>
#include <string_view>

#include "dns/resolver.h"
#include "util/cidr.h"

namespace postern::spf {

class DnsLayer;
struct MacroContext;

enum class Result { None, Neutral, Pass, Fail, SoftFail, TempError, PermError };
const char* result_name(Result r);  // "none", "neutral", "pass", ... as in RFC 7208 §2.6

struct Verdict {
  Result result = Result::None;
  std::string identity;     // "mailfrom" or "helo"
  std::string domain;       // the domain checked, lowercased
  std::string sender;       // the <sender> used (postmaster@helo for an empty MAIL FROM)
  std::string explanation;  // for fail: the domain's exp= text or Postern's default
  std::string problem;      // for temperror/permerror: what went wrong
  uint32_t ttl = 0;         // seconds the verdict may be cached (smallest TTL seen)
};

struct CheckerOptions {
  int void_lookup_limit = 2;   // RFC 7208 §4.6.4 (SPF-11: at least 2)
  int dns_lookup_limit = 10;   // RFC 7208 §4.6.4, fixed by the RFC
  std::string receiver = "unknown";  // this host's name: %{r}, Received-SPF receiver=
};

class Checker {
 public:
  Checker(dns::Resolver& resolver, CheckerOptions options);

  // RFC 7208 §2.4: the MAIL FROM identity; an empty sender checks postmaster@helo.
  Verdict check_mail_from(const util::IpAddress& ip, std::string_view helo, std::string_view sender);
  // RFC 7208 §2.3: the HELO identity (postmaster@helo).
  Verdict check_helo(const util::IpAddress& ip, std::string_view helo);

  // RFC 7208 §9.1 "Received-SPF: ..." without the line end (folded lines, CRLF-joined).
  std::string received_spf_header(const Verdict& v, const util::IpAddress& ip, std::string_view helo) const;

 private:
  Verdict check(const util::IpAddress& ip, std::string_view helo, std::string sender, std::string identity);
  std::string explain(const DnsLayer& layer, MacroContext ctx, const std::string& domain);
  std::string validated_name(const MacroContext& ctx);

  dns::Resolver& resolver_;
  CheckerOptions options_;
};

}  // namespace postern::spf

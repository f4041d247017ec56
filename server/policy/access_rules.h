// Black and white lists (SEC-1) and the whitelist skip matrix (SEC-2). Pure: parsing,
// validation and matching of rules already loaded from store::AccessTables; no I/O.
//
// A rule matches on the client IP, the client's network (IP/prefix or IP/netmask), the
// sender address, the recipient address or the sender's domain. A blacklist rule rejects
// (the client is told) or discards (accepted, then dropped). A whitelist rule never
// accepts by itself: it exempts from the blacklist of its own family (client address,
// sender, recipient) and makes the later checks named in the SEC-2 table skip:
//
//   whitelist type | DNSBL | SPF | virus | DKIM | DMARC
//   ip             | skip  | skip| skip  | skip | skip
//   cidr           | skip  | skip|  -    | skip | skip
//   sender         |  -    | skip| skip  |  -   |  -
//   recipient      |  -    | skip| skip  |  -   |  -
//   domain         |  -    | skip| skip  | skip | skip
//
// Threading: values are immutable once built; share them freely.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "mail/address.h"
#include "util/cidr.h"

namespace postern::policy {

enum class AccessList { Black, White };
enum class AccessType { Ip, Cidr, Sender, Recipient, Domain };
enum class AccessAction { Reject, Discard };

std::optional<AccessList> parse_access_list(const std::string& text);
std::optional<AccessType> parse_access_type(const std::string& text);
std::optional<AccessAction> parse_access_action(const std::string& text);
const char* name_of(AccessList l);
const char* name_of(AccessType t);
const char* name_of(AccessAction a);

// Checks and canonicalises a rule value for its type: "ip" an address, "cidr" a network
// as 10.0.0.0/8 or 10.0.0.0/255.0.0.0 (contiguous masks only; stored as IP/prefix),
// "sender"/"recipient" a mail address (stored lower-cased), "domain" a domain name.
// On failure returns nullopt and sets `error` to a message naming the value and the rule.
std::optional<std::string> normalize_access_value(AccessType type, const std::string& value, std::string& error);

// The later checks a whitelist match makes skip (SEC-2).
struct SkipFlags {
  bool dnsbl = false, spf = false, virus = false, dkim = false, dmarc = false;
  SkipFlags& operator|=(const SkipFlags& o);
};
SkipFlags whitelist_skips(AccessType type);

// What the whitelists matched so far in a transaction (client, sender, recipients): the
// union of their skip flags. Checks ask e.g. `whitelist.skips_spf()` before running.
struct WhitelistMatch {
  unsigned types = 0;  // bit (1 << AccessType) per whitelist type that matched
  SkipFlags skips;
  void add(AccessType t);
  bool matched() const { return types != 0; }
  bool matched(AccessType t) const { return types & (1u << unsigned(t)); }
  bool skips_dnsbl() const { return skips.dnsbl; }
  bool skips_spf() const { return skips.spf; }
  bool skips_virus_scan() const { return skips.virus; }
  bool skips_dkim() const { return skips.dkim; }
  bool skips_dmarc() const { return skips.dmarc; }
  std::string describe() const;        // "ip,sender" for logs
  std::string describe_skips() const;  // "dnsbl,spf,virus" for logs
};

struct AccessRule {
  int64_t id = 0;
  AccessList list = AccessList::Black;
  AccessType type = AccessType::Ip;
  std::string value;  // canonical (normalize_access_value)
  AccessAction action = AccessAction::Reject;
};

// The outcome of matching one family of rules.
struct AccessMatch {
  std::optional<AccessRule> black;  // the blacklist rule that applies (none when whitelisted)
  WhitelistMatch white;
};

class AccessRuleSet {
 public:
  AccessRuleSet() = default;
  explicit AccessRuleSet(std::vector<AccessRule> rules);

  AccessMatch client(const util::IpAddress& ip) const;         // ip and cidr rules
  AccessMatch sender(const mail::Address& sender) const;       // sender and domain rules
  AccessMatch recipient(const mail::Address& recipient) const;  // recipient rules
  const std::vector<AccessRule>& rules() const { return rules_; }

 private:
  struct Compiled {
    AccessRule rule;
    std::optional<util::Cidr> net;  // ip and cidr rules
  };
  template <typename Pred>
  AccessMatch match(Pred matches) const;

  std::vector<AccessRule> rules_;
  std::vector<Compiled> compiled_;
};

}  // namespace postern::policy

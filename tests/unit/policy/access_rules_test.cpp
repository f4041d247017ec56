#include "policy/access_rules.h"

#include <gtest/gtest.h>

using namespace postern;
using namespace postern::policy;

namespace {
std::string norm(AccessType t, const std::string& v) {
  std::string error;
  auto out = normalize_access_value(t, v, error);
  return out ? *out : "ERROR: " + error;
}
util::IpAddress ip(const char* text) { return *util::IpAddress::parse(text); }
mail::Address addr(const char* text) { return *mail::Address::parse(text); }
AccessRule rule(AccessList l, AccessType t, const std::string& v, AccessAction a = AccessAction::Reject) {
  static int64_t id = 0;
  return {++id, l, t, v, a};
}
}  // namespace

TEST(AccessRules, NormalizesValuesPerType) {
  struct Case {
    AccessType type;
    const char* in;
    const char* out;  // nullptr: refused
  } cases[] = {
      {AccessType::Ip, "192.0.2.1", "192.0.2.1"},
      {AccessType::Ip, " 2001:DB8::1 ", "2001:db8::1"},
      {AccessType::Ip, "192.0.2.0/24", nullptr},
      {AccessType::Ip, "mail.example.com", nullptr},
      {AccessType::Cidr, "192.0.2.77/24", "192.0.2.0/24"},
      {AccessType::Cidr, "192.0.2.1/255.255.255.0", "192.0.2.0/24"},
      {AccessType::Cidr, "10.1.2.3/255.0.0.0", "10.0.0.0/8"},
      {AccessType::Cidr, "192.163.1.1/255.100.10.1", nullptr},  // the seed's example mask is not contiguous
      {AccessType::Cidr, "192.0.2.1", nullptr},
      {AccessType::Cidr, "192.0.2.0/33", nullptr},
      {AccessType::Sender, "Bob@Example.COM", "bob@example.com"},
      {AccessType::Sender, "not an address", nullptr},
      {AccessType::Recipient, "456@abc.com", "456@abc.com"},
      {AccessType::Domain, "ABC.com.", "abc.com"},
      {AccessType::Domain, "localhost", nullptr},
      {AccessType::Domain, "a@b.com", nullptr},
  };
  for (const auto& c : cases) {
    std::string error;
    auto out = normalize_access_value(c.type, c.in, error);
    if (c.out) {
      ASSERT_TRUE(out) << c.in << ": " << error;
      EXPECT_EQ(*out, c.out) << c.in;
    } else {
      EXPECT_FALSE(out) << c.in;
      EXPECT_NE(error.find(c.in), std::string::npos) << error;
    }
  }
  EXPECT_EQ(norm(AccessType::Ip, "::ffff:192.0.2.1"), "192.0.2.1");
}

TEST(AccessRules, SkipMatrixIsTheSpecTable) {
  // SEC-2: whitelist type -> DNSBL, SPF, virus, DKIM, DMARC skipped.
  struct Row {
    AccessType type;
    bool dnsbl, spf, virus, dkim, dmarc;
  } table[] = {
      {AccessType::Ip, true, true, true, true, true},
      {AccessType::Cidr, true, true, false, true, true},
      {AccessType::Sender, false, true, true, false, false},
      {AccessType::Recipient, false, true, true, false, false},
      {AccessType::Domain, false, true, true, true, true},
  };
  for (const auto& r : table) {
    WhitelistMatch m;
    m.add(r.type);
    EXPECT_EQ(m.skips_dnsbl(), r.dnsbl) << name_of(r.type);
    EXPECT_EQ(m.skips_spf(), r.spf) << name_of(r.type);
    EXPECT_EQ(m.skips_virus_scan(), r.virus) << name_of(r.type);
    EXPECT_EQ(m.skips_dkim(), r.dkim) << name_of(r.type);
    EXPECT_EQ(m.skips_dmarc(), r.dmarc) << name_of(r.type);
  }
  WhitelistMatch none;
  EXPECT_FALSE(none.matched());
  EXPECT_FALSE(none.skips_spf());
  WhitelistMatch both;
  both.add(AccessType::Cidr);
  both.add(AccessType::Sender);
  EXPECT_TRUE(both.skips_virus_scan());  // the union of the two rows
  EXPECT_EQ(both.describe(), "cidr,sender");
  EXPECT_EQ(both.describe_skips(), "dnsbl,spf,virus,dkim,dmarc");
}

TEST(AccessRules, ClientMatchesIpAndNetwork) {
  AccessRuleSet set({rule(AccessList::Black, AccessType::Cidr, "127.0.0.0/24"),
                     rule(AccessList::White, AccessType::Ip, "127.0.0.5"),
                     rule(AccessList::Black, AccessType::Ip, "127.0.1.9", AccessAction::Discard)});
  auto blocked = set.client(ip("127.0.0.4"));
  ASSERT_TRUE(blocked.black);
  EXPECT_EQ(blocked.black->type, AccessType::Cidr);
  auto white = set.client(ip("127.0.0.5"));  // whitelisted inside a blacklisted network
  EXPECT_FALSE(white.black);
  EXPECT_TRUE(white.white.matched(AccessType::Ip));
  auto discard = set.client(ip("::ffff:127.0.1.9"));
  ASSERT_TRUE(discard.black);
  EXPECT_EQ(discard.black->action, AccessAction::Discard);
  EXPECT_FALSE(set.client(ip("127.0.2.1")).black);
}

TEST(AccessRules, SenderDomainAndRecipient) {
  AccessRuleSet set({rule(AccessList::Black, AccessType::Domain, "spam.test"),
                     rule(AccessList::White, AccessType::Sender, "friend@spam.test"),
                     rule(AccessList::Black, AccessType::Sender, "bad@ok.test", AccessAction::Discard),
                     rule(AccessList::Black, AccessType::Recipient, "trap@example.test"),
                     rule(AccessList::White, AccessType::Domain, "partner.test")});
  EXPECT_TRUE(set.sender(addr("anyone@SPAM.test")).black);
  EXPECT_FALSE(set.sender(addr("anyone@sub.spam.test")).black);  // domain rules are exact
  auto friendly = set.sender(addr("Friend@spam.test"));
  EXPECT_FALSE(friendly.black);
  EXPECT_TRUE(friendly.white.matched(AccessType::Sender));
  EXPECT_EQ(set.sender(addr("bad@ok.test")).black->action, AccessAction::Discard);
  EXPECT_TRUE(set.sender(addr("x@partner.test")).white.matched(AccessType::Domain));
  EXPECT_FALSE(set.sender(mail::Address{}).black);  // the null sender matches no address rule
  EXPECT_TRUE(set.recipient(addr("TRAP@example.test")).black);
  EXPECT_FALSE(set.recipient(addr("bad@ok.test")).black);  // sender rules do not match recipients
}

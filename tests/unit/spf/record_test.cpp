#include "spf/record.h"

#include <gtest/gtest.h>

#include "spf/macro.h"

using namespace postern::spf;

namespace {
bool ok(const char* txt) {
  std::string error;
  return parse(txt, error).has_value();
}
}  // namespace

TEST(SpfRecord, RecognisesVersion) {
  EXPECT_TRUE(is_spf_record("v=spf1"));
  EXPECT_TRUE(is_spf_record("V=SpF1 -all"));
  EXPECT_FALSE(is_spf_record("v=spf10"));
  EXPECT_FALSE(is_spf_record("v=spf1-all"));
}

TEST(SpfRecord, AcceptsWellFormedRecords) {
  EXPECT_TRUE(ok("v=spf1 a mx ptr ip4:192.0.2.0/24 ip6:2001:db8::/32 include:_spf.example.com ~all"));
  EXPECT_TRUE(ok("v=spf1 a:%{d}/24//64 mx:mail.example.com. exists:%{ir}.%{l1r+-}._spf.%{d} -all"));
  EXPECT_TRUE(ok("v=spf1 redirect=_spf.example.com exp=explain.%{d} foo=bar%{s}"));
  EXPECT_TRUE(ok("v=spf1 -all "));
}

// CORRECTION(cidr-zero)
TEST(SpfRecord, CidrZeroIsValidAndRewritten) {
  std::string error;
  auto r = parse("v=spf1 -ip4:192.0.2.1/0 ip6:::1/0 a/0 mx//0 -all", error);
  ASSERT_TRUE(r) << error;
  auto out = for_libspf2(*r, "z-");
  EXPECT_NE(out.find("-ip4:0.0.0.0/1 -ip4:128.0.0.0/1"), std::string::npos) << out;
  EXPECT_NE(out.find("+ip6:::/1 +ip6:8000::/1"), std::string::npos) << out;
  EXPECT_NE(out.find("+a:%{d}.z-4"), std::string::npos) << out;
  EXPECT_NE(out.find("+mx:%{d}.z-6"), std::string::npos) << out;
  EXPECT_FALSE(ok("v=spf1 ip4:192.0.2.1/33"));
  EXPECT_FALSE(ok("v=spf1 ip4:192.0.2.1/024"));
  EXPECT_FALSE(ok("v=spf1 a//129"));
}

// CORRECTION(domain-end)
TEST(SpfRecord, DomainSpecNeedsTopLabelOrMacro) {
  EXPECT_FALSE(ok("v=spf1 a:foo -all"));
  EXPECT_FALSE(ok("v=spf1 include:example.com.123 -all"));
  EXPECT_FALSE(ok("v=spf1 a:1.2.3.4 -all"));
  EXPECT_FALSE(ok("v=spf1 a:example.-com -all"));
  EXPECT_FALSE(ok("v=spf1 a:example.com- -all"));
  EXPECT_TRUE(ok("v=spf1 include:%{d} -all"));
  EXPECT_TRUE(ok("v=spf1 a:foo.1-2 -all"));
}

// CORRECTION(macro-syntax)
TEST(SpfRecord, BadMacrosArePermerror) {
  EXPECT_FALSE(ok("v=spf1 a:%{x}.example.com"));
  EXPECT_FALSE(ok("v=spf1 a:%{d0}.example.com"));
  EXPECT_FALSE(ok("v=spf1 a:%{c}.example.com"));  // c only in explanations
  EXPECT_FALSE(ok("v=spf1 a:%{d.example.com"));
  EXPECT_FALSE(ok("v=spf1 a:50%.example.com"));
  EXPECT_FALSE(ok("v=spf1 foo=%{q}"));
  EXPECT_TRUE(ok("v=spf1 a:100%%.example.com"));
}

// CORRECTION(duplicate-modifier)
TEST(SpfRecord, DuplicateRedirectOrExpIsPermerror) {
  EXPECT_FALSE(ok("v=spf1 redirect=a.example.com redirect=b.example.com"));
  EXPECT_FALSE(ok("v=spf1 exp=a.example.com EXP=b.example.com -all"));
  EXPECT_TRUE(ok("v=spf1 foo=a foo=b -all"));
}

// CORRECTION(redirect-with-all), CORRECTION(exp-ours)
TEST(SpfRecord, LibspfFormDropsIgnoredModifiers) {
  std::string error;
  auto r = parse("v=spf1 redirect=self.example.com exp=x.example.com other=1 ~all", error);
  ASSERT_TRUE(r);
  EXPECT_EQ(for_libspf2(*r, "z-"), "v=spf1 ~all");
  r = parse("v=spf1 a redirect=other.example.com", error);
  ASSERT_TRUE(r);
  EXPECT_EQ(for_libspf2(*r, "z-"), "v=spf1 a redirect=other.example.com");
}

TEST(SpfRecord, UnknownMechanismOrGarbageIsPermerror) {
  EXPECT_FALSE(ok("v=spf1 foo -all"));
  EXPECT_FALSE(ok("v=spf1 -all\r"));
  EXPECT_FALSE(ok("v=spf1 ip4:192.0.2"));
  EXPECT_FALSE(ok("v=spf1 ip6:2001:db8::g"));
  EXPECT_FALSE(ok("v=spf1 allx"));
  EXPECT_FALSE(ok("v=spf1 include"));
}

TEST(SpfMacro, ExpandsAsRfc7208Section7Examples) {
  MacroContext c;
  c.sender = "strong-bad@email.example.com";
  c.local_part = "strong-bad";
  c.sender_domain = c.domain = "email.example.com";
  c.ip = c.ip_dotted = "192.0.2.3";
  auto e = [&](const char* s) { return expand(s, c, true).value_or("<error>"); };
  EXPECT_EQ(e("%{s}"), "strong-bad@email.example.com");
  EXPECT_EQ(e("%{d4}"), "email.example.com");
  EXPECT_EQ(e("%{d2}"), "example.com");
  EXPECT_EQ(e("%{d1}"), "com");
  EXPECT_EQ(e("%{dr}"), "com.example.email");
  EXPECT_EQ(e("%{d2r}"), "example.email");
  EXPECT_EQ(e("%{l}"), "strong-bad");
  EXPECT_EQ(e("%{l-}"), "strong.bad");
  EXPECT_EQ(e("%{lr-}"), "bad.strong");
  EXPECT_EQ(e("%{l1r-}"), "strong");
  EXPECT_EQ(e("%{ir}.%{v}._spf.%{d2}"), "3.2.0.192.in-addr._spf.example.com");
  EXPECT_EQ(e("%{S}"), "strong-bad%40email.example.com");
  EXPECT_EQ(e("a%%b%_c%-d"), "a%b c%20d");
  EXPECT_EQ(e("%{d0}"), "<error>");
}

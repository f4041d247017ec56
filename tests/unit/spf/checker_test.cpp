// spf::Checker over an in-memory zone: the corrections made in the DNS layer and checker
// (the e2e RFC 7208 suite runs the same code against a real DNS server on loopback).
#include "spf/checker.h"

#include <gtest/gtest.h>

#include <map>

using namespace postern;
using spf::Result;

namespace {

struct Name {
  std::vector<std::string> txt, a, mx;
  bool timeout = false;
};

class ZoneResolver : public dns::Resolver {
 public:
  std::map<std::string, Name> zone;
  int queries = 0;

  template <typename A>
  bool head(std::string_view n, A& ans) {
    ++queries;
    auto it = zone.find(std::string(n));
    if (it == zone.end()) return ans.status = dns::Status::NxDomain, false;
    if (it->second.timeout) return ans.status = dns::Status::TempFail, false;
    ans.ttl = 300;
    return true;
  }
  dns::MxAnswer mx(std::string_view d) override {
    dns::MxAnswer ans;
    if (!head(d, ans)) return ans;
    for (const auto& m : zone[std::string(d)].mx) ans.records.push_back({10, m});
    ans.status = ans.records.empty() ? dns::Status::NoData : dns::Status::Ok;
    return ans;
  }
  dns::AddressAnswer a(std::string_view n) override {
    dns::AddressAnswer ans;
    if (!head(n, ans)) return ans;
    for (const auto& ip : zone[std::string(n)].a) ans.records.push_back(*util::IpAddress::parse(ip));
    ans.status = ans.records.empty() ? dns::Status::NoData : dns::Status::Ok;
    return ans;
  }
  dns::AddressAnswer aaaa(std::string_view n) override {
    dns::AddressAnswer ans;
    if (head(n, ans)) ans.status = dns::Status::NoData;
    return ans;
  }
  dns::TextAnswer txt(std::string_view n) override {
    dns::TextAnswer ans;
    if (!head(n, ans)) return ans;
    ans.records = zone[std::string(n)].txt;
    ans.status = ans.records.empty() ? dns::Status::NoData : dns::Status::Ok;
    return ans;
  }
  dns::TextAnswer ptr(const util::IpAddress&) override {
    dns::TextAnswer ans;
    ans.status = dns::Status::NxDomain;
    return ans;
  }
};

class SpfChecker : public ::testing::Test {
 protected:
  ZoneResolver dns;
  util::IpAddress ip = *util::IpAddress::parse("192.0.2.10");
  spf::Verdict check(const std::string& domain, int void_limit = 2) {
    spf::Checker c(dns, {void_limit, 10, "mx.test.example"});
    return c.check_mail_from(ip, "helo.example.net", "user@" + domain);
  }
};

}  // namespace

TEST_F(SpfChecker, EachBasicResult) {
  dns.zone["pass.example.com"].txt = {"v=spf1 ip4:192.0.2.0/24 -all"};
  dns.zone["fail.example.com"].txt = {"v=spf1 -all"};
  dns.zone["soft.example.com"].txt = {"v=spf1 ~all"};
  dns.zone["neutral.example.com"].txt = {"v=spf1 ?all"};
  dns.zone["none.example.com"].txt = {"some other text"};
  EXPECT_EQ(check("pass.example.com").result, Result::Pass);
  EXPECT_EQ(check("fail.example.com").result, Result::Fail);
  EXPECT_EQ(check("soft.example.com").result, Result::SoftFail);
  EXPECT_EQ(check("neutral.example.com").result, Result::Neutral);
  EXPECT_EQ(check("none.example.com").result, Result::None);
  EXPECT_EQ(check("nxdomain.example.com").result, Result::None);
}

// CORRECTION(domain-check)
TEST_F(SpfChecker, UnusableDomainIsNoneWithoutLookup) {
  EXPECT_EQ(check("localhost").result, Result::None);
  EXPECT_EQ(check("a..example.com").result, Result::None);
  EXPECT_EQ(check(std::string(64, 'x') + ".example.com").result, Result::None);
  EXPECT_EQ(dns.queries, 0);
}

// CORRECTION(temperror)
TEST_F(SpfChecker, DnsFailureIsTemperror) {
  dns.zone["slow.example.com"].timeout = true;
  dns.zone["inc.example.com"].txt = {"v=spf1 include:slow.example.com -all"};
  EXPECT_EQ(check("slow.example.com").result, Result::TempError);
  auto v = check("inc.example.com");
  EXPECT_EQ(v.result, Result::TempError);
  EXPECT_NE(v.problem.find("slow.example.com"), std::string::npos);
}

// CORRECTION(strict-record)
TEST_F(SpfChecker, TwoRecordsOrBrokenRecordArePermerror) {
  dns.zone["two.example.com"].txt = {"v=spf1 -all", "v=spf1 +all"};
  dns.zone["broken.example.com"].txt = {"v=spf1 a:%{z}.example.com -all"};
  dns.zone["dup.example.com"].txt = {"v=spf1 redirect=a.example.com redirect=b.example.com"};
  EXPECT_EQ(check("two.example.com").result, Result::PermError);
  EXPECT_EQ(check("broken.example.com").result, Result::PermError);
  EXPECT_EQ(check("dup.example.com").result, Result::PermError);
}

// CORRECTION(dns-limit)
TEST_F(SpfChecker, MoreThanTenLookupsIsPermerror) {
  std::string ten = "v=spf1", eleven;
  for (int i = 0; i < 10; ++i) {
    ten += " a:h" + std::to_string(i) + ".example.com";
    dns.zone["h" + std::to_string(i) + ".example.com"].a = {"198.51.100.1"};
  }
  eleven = ten + " a:h10.example.com";
  dns.zone["h10.example.com"].a = {"198.51.100.1"};
  dns.zone["ten.example.com"].txt = {ten + " ip4:192.0.2.10 -all"};
  dns.zone["eleven.example.com"].txt = {eleven + " ip4:192.0.2.10 -all"};
  EXPECT_EQ(check("ten.example.com").result, Result::Pass);
  EXPECT_EQ(check("eleven.example.com").result, Result::PermError);
}

// CORRECTION(void-limit), SPF-11
TEST_F(SpfChecker, VoidLookupLimitIsConfigurable) {
  dns.zone["voids.example.com"].txt = {"v=spf1 a:n1.example.com a:n2.example.com a:n3.example.com ?all"};
  dns.zone["two.example.com"].txt = {"v=spf1 a:n1.example.com a:n2.example.com ?all"};
  EXPECT_EQ(check("two.example.com").result, Result::Neutral);
  EXPECT_EQ(check("voids.example.com").result, Result::PermError);
  EXPECT_EQ(check("voids.example.com", 3).result, Result::Neutral);
  EXPECT_EQ(check("voids.example.com", 1).result, Result::PermError);  // clamped up to 2
}

// CORRECTION(cidr-zero) for a/mx
TEST_F(SpfChecker, ACidrZeroMatchesAnyAddress) {
  dns.zone["z.example.com"].txt = {"v=spf1 a/0 -all"};
  dns.zone["z.example.com"].a = {"203.0.113.1"};
  dns.zone["m.example.com"].txt = {"v=spf1 mx/0 -all"};
  dns.zone["m.example.com"].mx = {"z.example.com"};
  dns.zone["e.example.com"].txt = {"v=spf1 a/0 -all"};
  EXPECT_EQ(check("z.example.com").result, Result::Pass);
  EXPECT_EQ(check("m.example.com").result, Result::Pass);
  EXPECT_EQ(check("e.example.com").result, Result::Fail);
  // Only the layer's own per-check label means "/0": a published name ending in a look-alike
  // label is looked up as it is.
  dns.zone["l.example.com"].txt = {"v=spf1 a:z.example.com.pcz0000000000000000-4 -all"};
  EXPECT_EQ(check("l.example.com").result, Result::Fail);
}

// CORRECTION(mx-limit)
TEST_F(SpfChecker, MoreThanTenMxNamesIsPermerror) {
  dns.zone["many.example.com"].txt = {"v=spf1 mx ip4:192.0.2.10 -all"};
  for (int i = 0; i < 11; ++i) dns.zone["many.example.com"].mx.push_back("mx" + std::to_string(i) + ".example.com");
  EXPECT_EQ(check("many.example.com").result, Result::PermError);
  dns.zone["many.example.com"].mx.pop_back();
  EXPECT_EQ(check("many.example.com").result, Result::Pass);
}

// CORRECTION(exp-ours)
TEST_F(SpfChecker, ExplanationFromExpOfTheRedirectTarget) {
  dns.zone["r.example.com"].txt = {"v=spf1 exp=top.example.com redirect=t.example.com"};
  dns.zone["t.example.com"].txt = {"v=spf1 -all exp=why.%{d}"};
  dns.zone["why.t.example.com"].txt = {"%{i} may not send for %{d} (%{l})"};
  dns.zone["top.example.com"].txt = {"wrong record"};
  auto v = check("r.example.com");
  EXPECT_EQ(v.result, Result::Fail);
  EXPECT_EQ(v.explanation, "192.0.2.10 may not send for t.example.com (user)");
  dns.zone["bad.example.com"].txt = {"v=spf1 -all exp=badexp.example.com"};
  dns.zone["badexp.example.com"].txt = {"%{x}"};
  EXPECT_EQ(check("bad.example.com").explanation, "bad.example.com does not designate 192.0.2.10 as a permitted sender");
}

TEST_F(SpfChecker, ReceivedSpfHeaderFields) {
  dns.zone["pass.example.com"].txt = {"v=spf1 ip4:192.0.2.10 -all"};
  spf::Checker c(dns, {2, 10, "mx.test.example"});
  auto v = c.check_mail_from(ip, "helo.example.net", "a\"b@pass.example.com");
  auto h = c.received_spf_header(v, ip, "helo.example.net");
  EXPECT_EQ(h.rfind("Received-SPF: pass (mx.test.example: domain of", 0), 0u) << h;
  EXPECT_NE(h.find("client-ip=192.0.2.10;"), std::string::npos);
  EXPECT_NE(h.find("envelope-from=\"a\\\"b@pass.example.com\";"), std::string::npos) << h;
  EXPECT_NE(h.find("helo=\"helo.example.net\";"), std::string::npos);
  EXPECT_NE(h.find("identity=mailfrom;"), std::string::npos);
  for (char ch : h) EXPECT_TRUE(ch == '\r' || ch == '\n' || ch == '\t' || (ch >= 0x20 && ch < 0x7f));
}

TEST_F(SpfChecker, HeloIdentityAndEmptySender) {
  dns.zone["helo.example.net"].txt = {"v=spf1 ip4:192.0.2.10 -all"};
  spf::Checker c(dns, {2, 10, "mx.test.example"});
  auto v = c.check_helo(ip, "helo.example.net");
  EXPECT_EQ(v.result, Result::Pass);
  EXPECT_EQ(v.identity, "helo");
  auto m = c.check_mail_from(ip, "helo.example.net", "");
  EXPECT_EQ(m.result, Result::Pass);
  EXPECT_EQ(m.sender, "postmaster@helo.example.net");
}

// CORRECTION(loopback)
TEST_F(SpfChecker, LoopbackClientsAreCheckedLikeAnyOther) {
  dns.zone["fail.example.com"].txt = {"v=spf1 -all"};
  ip = *util::IpAddress::parse("127.0.0.3");
  EXPECT_EQ(check("fail.example.com").result, Result::Fail);
}

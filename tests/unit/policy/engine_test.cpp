// The stage runner with real stores (a temporary postern.db) and a scripted resolver:
// order of checks, Permit / Discard / Defer semantics, stats by reason, the whitelist
// flags an added check (such as SPF) sees, and DNS failures deferring.
#include "policy/engine.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <map>
#include "temp_dir.h"

using namespace postern;
using namespace postern::policy;

namespace {

// Answers A/AAAA/MX/PTR from a table; names not in it are NXDOMAIN, "tempfail.test" fails.
class ScriptedResolver : public dns::Resolver {
 public:
  std::map<std::string, std::string> a_records;
  dns::MxAnswer mx(std::string_view d) override { return fail_or<dns::MxAnswer>(d); }
  dns::AddressAnswer a(std::string_view n) override {
    auto out = fail_or<dns::AddressAnswer>(n);
    auto it = a_records.find(std::string(n));
    if (it != a_records.end()) {
      out.status = dns::Status::Ok;
      out.records.push_back(*util::IpAddress::parse(it->second));
    }
    return out;
  }
  dns::AddressAnswer aaaa(std::string_view n) override { return fail_or<dns::AddressAnswer>(n); }
  dns::TextAnswer txt(std::string_view n) override { return fail_or<dns::TextAnswer>(n); }
  dns::TextAnswer ptr(const util::IpAddress&) override { return {}; }  // TempFail

 private:
  template <typename A>
  A fail_or(std::string_view name) {
    A a;
    a.status = name == "tempfail.test" ? dns::Status::TempFail : dns::Status::NxDomain;
    return a;
  }
};

std::string temp_db() { return postern::test::make_temp_dir("engine") + "/postern.db"; }

struct EngineTest : ::testing::Test {
  std::string path = temp_db();
  store::Directory directory{path};
  store::RelayTables relay{path};
  store::AccessTables access{path};
  ScriptedResolver dns;
  Engine engine{directory, relay, access, dns};

  Context outside(const char* ip = "192.0.2.9") {
    Context c;
    c.facts.client = *util::IpAddress::parse(ip);
    c.facts.client_text = ip;
    c.facts.session_id = "T";
    return c;
  }
  static config::Snapshot cfg(std::map<std::string, std::string> values = {}) { return config::Snapshot(values); }
  static mail::Address addr(const char* a) { return *mail::Address::parse(a); }
  uint64_t counted(const std::string& reason) {
    auto s = engine.stats().snapshot();
    return s.count(reason) ? s[reason] : 0;
  }
};

}  // namespace

TEST_F(EngineTest, AddedCheckSeesWhitelistAndRunsAfterBuiltIns) {
  access.add_rule({0, "white", "domain", "partner.test", "reject", 0});
  std::vector<std::string> order;
  bool spf_skipped = false;
  engine.add_check({"spf", Stage::Mail, nullptr, [&](Context& c, const config::Snapshot&) {
                      order.push_back("spf");
                      spf_skipped = c.whitelist.skips_spf();
                      return spf_skipped ? Verdict::next() : Verdict::reject(550, "5.7.23", "SPF fail", "spf.fail");
                    }});
  auto c = outside();
  c.helo = "client.partner.test";
  c.reset_transaction();
  auto snapshot = cfg();
  EXPECT_TRUE(engine.check_mail(c, addr("x@partner.test"), snapshot).accepted());
  EXPECT_TRUE(spf_skipped);
  auto refused = engine.check_mail(c, addr("x@other.test"), snapshot);
  EXPECT_EQ(refused.code, 550);
  EXPECT_EQ(counted("spf.fail"), 1u);
  EXPECT_EQ(order.size(), 2u);
}

TEST_F(EngineTest, PermitEndsOnlyItsStage) {
  // The LAN is permitted past the Helo stage, not past the Mail stage's sender rules.
  access.add_rule({0, "black", "sender", "bad@spam.test", "reject", 0});
  auto c = outside("127.0.0.2");
  c.facts.lan = true;
  c.helo = "printer";
  auto snapshot = cfg({{"security.reject_non_fqdn_helo", "true"}});
  EXPECT_TRUE(engine.check_mail(c, addr("scanner@example.test"), snapshot).accepted());
  auto v = engine.check_mail(c, addr("bad@spam.test"), snapshot);
  EXPECT_EQ(v.kind, Verdict::Reject);
  EXPECT_EQ(v.reason, "sender.blacklist");
  auto stranger = outside();
  stranger.helo = "printer";
  EXPECT_EQ(engine.check_mail(stranger, addr("x@good.test"), snapshot).reason, "helo.non_fqdn");
}

TEST_F(EngineTest, DiscardMarksTheTransaction) {
  access.add_rule({0, "black", "domain", "spam.test", "discard", 0});
  auto c = outside();
  c.helo = "client.test";
  auto v = engine.check_mail(c, addr("x@spam.test"), cfg());
  EXPECT_EQ(v.kind, Verdict::Discard);
  EXPECT_TRUE(v.accepted());
  EXPECT_TRUE(c.discard);
  EXPECT_EQ(counted("sender.blacklist"), 1u);
  c.reset_transaction();
  EXPECT_FALSE(c.discard);
}

TEST_F(EngineTest, DnsFailureDefersNeverPermits) {
  auto snapshot = cfg({{"security.reject_unknown_helo", "true"}, {"security.reject_unknown_client_hostname", "false"}});
  auto c = outside();
  c.helo = "tempfail.test";
  auto v = engine.check_mail(c, addr("x@example.test"), snapshot);
  EXPECT_EQ(v.kind, Verdict::Defer);
  EXPECT_EQ(v.code, 450);
  c.helo = "nowhere.test";
  EXPECT_EQ(engine.check_mail(c, addr("x@example.test"), snapshot).code, 550);
  dns.a_records["known.test"] = "192.0.2.1";
  c.helo = "known.test";
  EXPECT_TRUE(engine.check_mail(c, addr("x@example.test"), snapshot).accepted());
  // The resolver's PTR answer is a temporary failure: the client check defers.
  auto strict = cfg({{"security.reject_unknown_client_hostname", "true"}});
  auto d = outside();
  d.helo = "known.test";
  EXPECT_EQ(engine.check_mail(d, addr("x@example.test"), strict).code, 450);
}

TEST_F(EngineTest, ConnectStageBlocksAndCountsConnections) {
  auto snapshot = cfg({{"security.limit_client_connections", "true"}, {"security.max_client_connections", "1"}});
  auto first = outside(), second = outside();
  EXPECT_TRUE(engine.on_connect(first, snapshot).accepted());
  auto v = engine.on_connect(second, snapshot);
  EXPECT_EQ(v.code, 421);
  EXPECT_TRUE(v.close);
  engine.disconnect(first);
  auto third = outside();
  EXPECT_TRUE(engine.on_connect(third, snapshot).accepted());
  engine.disconnect(third);
  engine.block_client("192.0.2.9", "test", 0);
  auto blocked = outside();
  auto b = engine.on_connect(blocked, snapshot);
  EXPECT_EQ(b.reason, "client.blocked");
  EXPECT_NE(b.text.find("test"), std::string::npos);
  EXPECT_EQ(counted("anvil.connections"), 1u);
  EXPECT_EQ(counted("client.blocked"), 1u);
}

TEST_F(EngineTest, RcptStageSeesTheWhitelistOfEachRecipientAlone) {
  // What lets SPF, judged at MAIL, exempt only the whitelisted recipient (SEC-2).
  directory.add_domain("example.test");
  directory.add_user("alice@example.test", "x");
  directory.add_user("bob@example.test", "x");
  EXPECT_FALSE(engine.recipient_whitelist_skips_spf());
  access.add_rule({0, "white", "recipient", "alice@example.test", "reject", 0});
  EXPECT_TRUE(engine.recipient_whitelist_skips_spf());
  std::map<std::string, bool> exempt;
  engine.add_check({"probe", Stage::Rcpt, nullptr, [&](Context& c, const config::Snapshot&) {
                      exempt[c.rcpt->str()] = c.rcpt_whitelist.skips_spf();
                      return Verdict::next();
                    }});
  auto c = outside();
  c.helo = "client.test";
  auto snapshot = cfg();
  ASSERT_TRUE(engine.check_mail(c, addr("x@other.test"), snapshot).accepted());
  for (const char* r : {"alice@example.test", "bob@example.test"})
    EXPECT_TRUE(engine.check_rcpt(c, addr(r), snapshot).verdict.accepted()) << r;
  EXPECT_TRUE(exempt["alice@example.test"]);
  EXPECT_FALSE(exempt["bob@example.test"]);
  EXPECT_TRUE(c.whitelist.skips_spf());  // the transaction as a whole: some recipient was
}

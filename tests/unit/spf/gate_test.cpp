// spf::Gate's decisions that need no DNS answer: who is skipped, temperror defers, and
// how SPF-10 splits the envelope (the e2e tests cover the rest against a real daemon).
#include "spf/gate.h"

#include <gtest/gtest.h>

using namespace postern;

namespace {

// Every lookup fails: any check that is made ends as temperror.
class DeadResolver : public dns::Resolver {
 public:
  int queries = 0;
  template <typename A>
  A fail() {
    ++queries;
    A a;
    a.status = dns::Status::TempFail;
    return a;
  }
  dns::MxAnswer mx(std::string_view) override { return fail<dns::MxAnswer>(); }
  dns::AddressAnswer a(std::string_view) override { return fail<dns::AddressAnswer>(); }
  dns::AddressAnswer aaaa(std::string_view) override { return fail<dns::AddressAnswer>(); }
  dns::TextAnswer txt(std::string_view) override { return fail<dns::TextAnswer>(); }
  dns::TextAnswer ptr(const util::IpAddress&) override { return fail<dns::TextAnswer>(); }
};

spf::GateFacts facts() {
  return {*util::IpAddress::parse("198.51.100.7"), "client.example.net", "a@example.org", false, false};
}

config::Snapshot settings(std::map<std::string, std::string> overrides = {}) { return config::Snapshot(overrides); }

mail::RoutedRecipient rcpt(std::string address, std::string original, mail::Route route) {
  return {std::move(address), std::move(original), route, "", "", ""};
}

}  // namespace

TEST(SpfGate, DnsFailureDefersWith4_7_24) {
  DeadResolver dns;
  spf::Gate gate(dns, nullptr);
  auto d = gate.screen(facts(), settings());
  EXPECT_EQ(d.action, spf::Decision::Action::Defer);
  EXPECT_EQ(d.code, 451);
  EXPECT_EQ(d.enhanced, "4.7.24");
}

TEST(SpfGate, SkippedSessionsAskNoDns) {
  DeadResolver dns;
  spf::Gate gate(dns, nullptr);
  auto f = facts();
  f.authenticated = true;
  EXPECT_EQ(gate.screen(f, settings()).action, spf::Decision::Action::Accept);
  f = facts();
  f.trusted = true;
  EXPECT_EQ(gate.screen(f, settings()).action, spf::Decision::Action::Accept);
  EXPECT_EQ(gate.screen(facts(), settings({{"spf.whitelist", "198.51.100.0/24"}})).action,
            spf::Decision::Action::Accept);
  EXPECT_EQ(gate.screen(facts(), settings({{"spf.verify_mail_from", "false"}, {"spf.check_helo", "false"}})).action,
            spf::Decision::Action::Accept);
  EXPECT_EQ(dns.queries, 0);
  // Turning a skip off makes the check happen (and here, defer).
  f = facts();
  f.authenticated = true;
  EXPECT_EQ(gate.screen(f, settings({{"spf.skip_authenticated", "false"}})).action, spf::Decision::Action::Defer);
}

TEST(SpfGate, ForwardedOutsideCopiesGetTheirOwnSrsEnvelope) {
  DeadResolver dns;
  spf::Srs srs("0123456789abcdef0123456789abcdef");
  spf::Gate gate(dns, nullptr, &srs);
  std::vector<mail::RoutedRecipient> rcpts{rcpt("alice@example.test", "alice@example.test", mail::Route::Local),
                                           rcpt("friend@remote.example", "fwd@example.test", mail::Route::Remote),
                                           rcpt("direct@remote.example", "direct@remote.example", mail::Route::Remote)};
  auto env = gate.envelopes("jane@outside.example", rcpts, {"example.test"}, settings());
  ASSERT_EQ(env.size(), 2u);
  EXPECT_EQ(env[0].sender, "jane@outside.example");
  ASSERT_EQ(env[0].recipients.size(), 2u);
  EXPECT_EQ(env[1].sender.rfind("SRS0=", 0), 0u);
  EXPECT_EQ(env[1].sender.substr(env[1].sender.size() - 13), "@example.test");
  ASSERT_EQ(env[1].recipients.size(), 1u);
  EXPECT_EQ(env[1].recipients[0].address, "friend@remote.example");
  EXPECT_EQ(gate.reverse_srs(env[1].sender, {"example.test"}).value_or(""), "jane@outside.example");
  EXPECT_FALSE(gate.reverse_srs(env[1].sender, {"other.test"}));

  // Off, a hosted sender, or the null sender: one envelope, sender unchanged.
  EXPECT_EQ(gate.envelopes("jane@outside.example", rcpts, {"example.test"},
                           settings({{"spf.forward_local_sender", "false"}})).size(), 1u);
  EXPECT_EQ(gate.envelopes("bob@example.test", rcpts, {"example.test"}, settings()).size(), 1u);
  auto null = gate.envelopes("", rcpts, {"example.test"}, settings());
  ASSERT_EQ(null.size(), 1u);
  EXPECT_EQ(null[0].sender, "");
}

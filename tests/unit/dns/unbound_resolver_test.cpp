// UnboundResolver against a real DNS server (dnsmasq on loopback, see dns_test_server.h).
#include "dns/unbound_resolver.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>

#include "dns/caching_resolver.h"
#include "dns_test_server.h"

using namespace postern;
using namespace std::chrono_literals;
using dns::Status;
using dns::test::DnsServer;

namespace {

std::vector<std::string> zone() {
  return {
      "--mx-host=example.test,mx-b.example.test,20", "--mx-host=example.test,mx-a.example.test,10",
      "--mx-host=example.test,mx-c.example.test,30", "--host-record=mx-a.example.test,127.0.0.10,::10",
      "--host-record=v6only.example.test,::20", "--cname=alias.example.test,mx-a.example.test",
      // One record of two strings (an SPF record split at 255 bytes looks like this), one of one.
      // dnsmasq splits command-line TXT data at commas (quotes work only in its files).
      "--txt-record=example.test,v=spf1 ip4:127.0.0.0/8, -all", "--txt-record=example.test,second",
      "--ptr-record=5.0.0.127.in-addr.arpa,host5.example.test",
      "--mx-host=nomail.example.test,.,0",  // null MX (RFC 7505)
  };
}

dns::UnboundOptions options_for(const std::string& nameserver, std::chrono::milliseconds timeout = 5000ms) {
  dns::UnboundOptions o;
  o.nameservers = {nameserver};
  o.timeout = timeout;
  return o;
}

std::vector<std::string> addresses(const dns::AddressAnswer& answer) {
  std::vector<std::string> out;
  for (const auto& ip : answer.records) out.push_back(ip.to_string());
  return out;
}

class UnboundResolverTest : public ::testing::Test {
 protected:
  DnsServer server{zone()};
  dns::UnboundResolver resolver{options_for(server.nameserver())};
};

TEST_F(UnboundResolverTest, MxSortedByPreference) {
  auto mx = resolver.mx("example.test");
  ASSERT_EQ(mx.status, Status::Ok) << mx.detail;
  ASSERT_EQ(mx.records.size(), 3u);
  EXPECT_EQ(mx.records[0].preference, 10);
  EXPECT_EQ(mx.records[0].exchange, "mx-a.example.test");
  EXPECT_EQ(mx.records[1].exchange, "mx-b.example.test");
  EXPECT_EQ(mx.records[2].exchange, "mx-c.example.test");
  EXPECT_EQ(mx.ttl, 300u);
  EXPECT_FALSE(mx.secure);  // no trust anchor configured
}

TEST_F(UnboundResolverTest, NullMx) {
  auto mx = resolver.mx("nomail.example.test");
  ASSERT_EQ(mx.status, Status::Ok) << mx.detail;
  ASSERT_EQ(mx.records.size(), 1u);
  EXPECT_EQ(mx.records[0].preference, 0);
  EXPECT_EQ(mx.records[0].exchange, "");
}

TEST_F(UnboundResolverTest, AddressesAndCnames) {
  EXPECT_EQ(addresses(resolver.a("mx-a.example.test")), (std::vector<std::string>{"127.0.0.10"}));
  EXPECT_EQ(addresses(resolver.aaaa("mx-a.example.test")), (std::vector<std::string>{"::10"}));
  EXPECT_EQ(addresses(resolver.a("alias.example.test")), (std::vector<std::string>{"127.0.0.10"}));
  EXPECT_EQ(addresses(resolver.a("MX-A.Example.Test.")), (std::vector<std::string>{"127.0.0.10"}));
}

TEST_F(UnboundResolverTest, TxtStringsOfOneRecordAreConcatenated) {
  auto txt = resolver.txt("example.test");
  ASSERT_EQ(txt.status, Status::Ok) << txt.detail;
  std::sort(txt.records.begin(), txt.records.end());
  EXPECT_EQ(txt.records, (std::vector<std::string>{"second", "v=spf1 ip4:127.0.0.0/8 -all"}));
}

TEST_F(UnboundResolverTest, Ptr) {
  auto ptr = resolver.ptr(*util::IpAddress::parse("127.0.0.5"));
  ASSERT_EQ(ptr.status, Status::Ok) << ptr.detail;
  EXPECT_EQ(ptr.records, (std::vector<std::string>{"host5.example.test"}));
  // --host-record publishes the reverse records too, IPv6 included.
  EXPECT_EQ(resolver.ptr(*util::IpAddress::parse("::10")).records, (std::vector<std::string>{"mx-a.example.test"}));
  EXPECT_EQ(resolver.ptr(*util::IpAddress::parse("127.0.0.99")).status, Status::NxDomain);
}

TEST_F(UnboundResolverTest, NxDomainAndNoDataAreDistinct) {
  EXPECT_EQ(resolver.a("nope.example.test").status, Status::NxDomain);
  EXPECT_EQ(resolver.mx("nope.example.test").status, Status::NxDomain);
  EXPECT_EQ(resolver.mx("mx-a.example.test").status, Status::NoData);   // has A/AAAA, no MX
  EXPECT_EQ(resolver.a("v6only.example.test").status, Status::NoData);  // has AAAA only
  EXPECT_EQ(resolver.txt("mx-a.example.test").status, Status::NoData);
  EXPECT_TRUE(resolver.a("nope.example.test").records.empty());
}

TEST_F(UnboundResolverTest, MalformedNamesArePermanentFailures) {
  for (std::string bad :
       std::vector<std::string>{"", "a..example.test", "sp ace.test", "esc\\046aped.test", std::string(300, 'a')}) {
    auto answer = resolver.a(bad);
    EXPECT_EQ(answer.status, Status::PermFail) << bad;
    EXPECT_FALSE(answer.detail.empty());
  }
}

TEST_F(UnboundResolverTest, RefusedIsATemporaryFailure) {
  // dnsmasq refuses names outside its zones; a forwarder's REFUSED becomes SERVFAIL.
  auto start = std::chrono::steady_clock::now();
  auto answer = resolver.a("elsewhere.example");
  EXPECT_EQ(answer.status, Status::TempFail);
  EXPECT_FALSE(answer.detail.empty());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST_F(UnboundResolverTest, ManyThreadsShareOneResolver) {
  std::atomic<int> bad{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 25; ++i) {
        if (resolver.mx("example.test").records.size() != 3) ++bad;
        if (resolver.a("nope.example.test").status != Status::NxDomain) ++bad;
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad, 0);
}

// A server that receives queries and never answers: the query must give up at the
// deadline, not after libunbound's own retries (which can take minutes).
TEST(UnboundResolverTimeout, SilentServerGivesTempFailWithinTheTimeout) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sa;
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa), 0);
  getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  dns::UnboundResolver resolver(options_for("127.0.0.1:" + std::to_string(ntohs(sa.sin_port)), 1000ms));
  for (int i = 0; i < 2; ++i) {  // the second one checks that the cancelled query left no damage
    auto start = std::chrono::steady_clock::now();
    auto answer = resolver.mx("example.test");
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(answer.status, Status::TempFail);
    EXPECT_NE(answer.detail.find("no answer within 1000 ms"), std::string::npos) << answer.detail;
    EXPECT_GE(took, 900ms);
    EXPECT_LT(took, 2500ms);
  }
  close(fd);
}

TEST(UnboundResolverTimeout, ClosedPortGivesTempFailWithinTheTimeout) {
  int port;
  {
    DnsServer gone({});
    port = gone.port();
  }  // stopped: nothing listens there now
  dns::UnboundResolver resolver(options_for("127.0.0.1:" + std::to_string(port), 1500ms));
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(resolver.a("mx-a.example.test").status, Status::TempFail);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
}

TEST(UnboundResolverConfig, BadNameserverIsRejected) {
  EXPECT_THROW(dns::UnboundResolver(options_for("dns.example")), std::invalid_argument);
  dns::UnboundOptions missing_anchor = options_for("127.0.0.1");
  missing_anchor.trust_anchor_file = "/nonexistent/root.key";
  EXPECT_THROW(dns::UnboundResolver{missing_anchor}, std::runtime_error);
}

TEST(UnboundResolverConfig, SystemResolvConf) {
  DnsServer server(zone());
  char path[] = "/tmp/postern-resolv-XXXXXX";
  int fd = mkstemp(path);
  std::string text = "# test\nnameserver 127.0.0.1\n";
  ASSERT_EQ(write(fd, text.data(), text.size()), ssize_t(text.size()));
  close(fd);
  // resolv.conf has no port syntax: this only checks that it is read and described.
  dns::UnboundOptions o;
  o.resolv_conf = path;
  o.timeout = 1000ms;
  dns::UnboundResolver resolver(o);
  EXPECT_NE(resolver.description().find(path), std::string::npos);
  unlink(path);
  o.resolv_conf = "/nonexistent/resolv.conf";
  dns::UnboundResolver fallback(o);
  EXPECT_NE(fallback.description().find("recursive"), std::string::npos);
}

// With a trust anchor, answers whose chain of trust fails are not used: dnsmasq serves
// no signatures, so the root's DNSKEY cannot be validated and every answer is bogus.
TEST(UnboundResolverDnssec, UnverifiableAnswersAreTemporaryFailures) {
  DnsServer server(zone());
  char path[] = "/tmp/postern-anchor-XXXXXX";
  int fd = mkstemp(path);
  std::string anchor = ". IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D\n";
  ASSERT_EQ(write(fd, anchor.data(), anchor.size()), ssize_t(anchor.size()));
  close(fd);
  auto o = options_for(server.nameserver(), 3000ms);
  o.trust_anchor_file = path;
  dns::UnboundResolver resolver(o);
  EXPECT_NE(resolver.description().find("DNSSEC validated"), std::string::npos);
  auto mx = resolver.mx("example.test");
  EXPECT_EQ(mx.status, Status::TempFail);
  EXPECT_FALSE(mx.secure);
  EXPECT_TRUE(mx.records.empty());
  EXPECT_NE(mx.detail.find("DNSSEC validation failed"), std::string::npos) << mx.detail;
  unlink(path);
}

TEST(CachingOverUnbound, CachedAnswerSurvivesTheServerStopping) {
  auto server = std::make_unique<DnsServer>(zone());
  dns::UnboundResolver unbound(options_for(server->nameserver(), 1000ms));
  dns::CachingResolver cache(unbound);
  ASSERT_EQ(cache.mx("example.test").records.size(), 3u);
  server.reset();
  auto again = cache.mx("example.test");
  ASSERT_EQ(again.status, Status::Ok);
  EXPECT_EQ(again.records[0].exchange, "mx-a.example.test");
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().misses, 1u);
  // Not in the cache and no server: a bounded TempFail, which is not cached.
  EXPECT_EQ(cache.a("mx-a.example.test").status, Status::TempFail);
  ASSERT_EQ(cache.entries().size(), 1u);
  EXPECT_EQ(cache.entries()[0].records[0], "10 mx-a.example.test");
}

TEST(CachingOverUnbound, ExpiredEntriesAreAskedAgain) {
  DnsServer server(zone(), /*ttl=*/1);
  dns::UnboundResolver unbound(options_for(server.nameserver()));
  dns::CachingResolver cache(unbound);
  auto first = cache.a("mx-a.example.test");
  ASSERT_EQ(first.status, Status::Ok) << first.detail;
  EXPECT_EQ(first.ttl, 1u);
  cache.a("mx-a.example.test");
  EXPECT_EQ(cache.stats().hits, 1u);
  std::this_thread::sleep_for(1100ms);
  EXPECT_EQ(cache.a("mx-a.example.test").status, Status::Ok);
  EXPECT_EQ(cache.stats().misses, 2u);
}

}  // namespace

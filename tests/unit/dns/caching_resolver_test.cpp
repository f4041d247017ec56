#include "dns/caching_resolver.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <thread>

using namespace postern;
using namespace std::chrono_literals;

namespace {

// Answers from a table and counts how often it was asked.
class FakeResolver : public dns::Resolver {
 public:
  std::map<std::string, dns::TextAnswer> txt_answers;
  std::atomic<int> calls{0};

  dns::MxAnswer mx(std::string_view domain) override {
    ++calls;
    dns::MxAnswer out;
    out.status = dns::Status::Ok;
    out.ttl = 300;
    out.records = {{10, "mx." + std::string(domain)}};
    return out;
  }
  dns::AddressAnswer a(std::string_view) override {
    ++calls;
    dns::AddressAnswer out;
    out.status = dns::Status::Ok;
    out.ttl = 30;
    out.secure = true;
    out.records = {*util::IpAddress::parse("192.0.2.1")};
    return out;
  }
  dns::AddressAnswer aaaa(std::string_view) override {
    ++calls;
    dns::AddressAnswer out;
    out.status = dns::Status::NoData;
    out.ttl = 3600;  // the SOA minimum: longer than the cache keeps negatives
    return out;
  }
  dns::TextAnswer txt(std::string_view name) override {
    ++calls;
    auto it = txt_answers.find(std::string(name));
    if (it != txt_answers.end()) return it->second;
    dns::TextAnswer out;
    out.status = dns::Status::NxDomain;
    return out;
  }
  dns::TextAnswer ptr(const util::IpAddress&) override {
    ++calls;
    dns::TextAnswer out;
    out.status = dns::Status::TempFail;
    out.detail = "SERVFAIL";
    return out;
  }
};

struct Clock {
  std::chrono::steady_clock::time_point t = std::chrono::steady_clock::time_point() + 1000h;
  std::function<std::chrono::steady_clock::time_point()> fn() {
    return [this] { return t; };
  }
};

TEST(CachingResolver, SecondQueryIsServedFromTheCacheWithTheRemainingTtl) {
  FakeResolver inner;
  Clock clock;
  dns::CachingResolver cache(inner, {100, 86400, 60, clock.fn()});
  auto first = cache.mx("example.test");
  clock.t += 100s;
  auto second = cache.mx("EXAMPLE.test.");  // names are case-insensitive, trailing dot optional
  EXPECT_EQ(inner.calls, 1);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second.records[0].exchange, "mx.example.test");
  EXPECT_EQ(first.ttl, 300u);
  EXPECT_EQ(second.ttl, 200u);
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().misses, 1u);
}

TEST(CachingResolver, EntriesExpireWithTheirTtl) {
  FakeResolver inner;
  Clock clock;
  dns::CachingResolver cache(inner, {100, 86400, 60, clock.fn()});
  cache.a("host.test");
  clock.t += 29s;
  EXPECT_TRUE(cache.a("host.test").secure);
  EXPECT_EQ(inner.calls, 1);
  clock.t += 1s;  // 30 s: the TTL is used up
  EXPECT_TRUE(cache.entries().empty());
  cache.a("host.test");
  EXPECT_EQ(inner.calls, 2);
}

TEST(CachingResolver, NegativeAnswersAreCappedAndFailuresNotCached) {
  FakeResolver inner;
  Clock clock;
  dns::CachingResolver cache(inner, {100, 86400, 60, clock.fn()});
  EXPECT_EQ(cache.aaaa("host.test").status, dns::Status::NoData);
  EXPECT_EQ(cache.txt("nx.test").status, dns::Status::NxDomain);  // no TTL: negative_ttl applies
  clock.t += 59s;
  EXPECT_EQ(cache.aaaa("host.test").ttl, 1u);
  EXPECT_EQ(cache.txt("nx.test").status, dns::Status::NxDomain);
  EXPECT_EQ(inner.calls, 2);
  clock.t += 1s;
  cache.aaaa("host.test");
  cache.txt("nx.test");
  EXPECT_EQ(inner.calls, 4);

  auto ip = *util::IpAddress::parse("192.0.2.9");
  EXPECT_EQ(cache.ptr(ip).status, dns::Status::TempFail);
  EXPECT_EQ(cache.ptr(ip).detail, "SERVFAIL");
  EXPECT_EQ(inner.calls, 6);
}

TEST(CachingResolver, ZeroTtlIsNotCached) {
  FakeResolver inner;
  dns::TextAnswer zero;
  zero.status = dns::Status::Ok;
  zero.records = {"v=spf1 -all"};
  inner.txt_answers["zero.test"] = zero;
  dns::CachingResolver cache(inner);
  cache.txt("zero.test");
  cache.txt("zero.test");
  EXPECT_EQ(inner.calls, 2);
}

TEST(CachingResolver, LeastRecentlyUsedIsEvictedFirst) {
  FakeResolver inner;
  Clock clock;
  dns::CachingResolver cache(inner, {2, 86400, 60, clock.fn()});
  cache.mx("a.test");
  cache.mx("b.test");
  cache.mx("a.test");  // a is now the most recent
  cache.mx("c.test");  // evicts b
  EXPECT_EQ(inner.calls, 3);
  auto rows = cache.entries();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].name, "c.test");
  EXPECT_EQ(rows[1].name, "a.test");
  cache.mx("a.test");
  EXPECT_EQ(inner.calls, 3);
  cache.mx("b.test");
  EXPECT_EQ(inner.calls, 4);
}

TEST(CachingResolver, ListAndClear) {
  FakeResolver inner;
  dns::TextAnswer spf;
  spf.status = dns::Status::Ok;
  spf.ttl = 600;
  spf.records = {"v=spf1 -all", std::string("bin\x01\\", 5)};
  inner.txt_answers["example.test"] = spf;
  Clock clock;
  dns::CachingResolver cache(inner, {100, 300, 60, clock.fn()});
  cache.txt("example.test");
  cache.mx("example.test");
  cache.ptr(*util::IpAddress::parse("192.0.2.9"));  // TempFail: not listed
  auto rows = cache.entries();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].type, "MX");
  EXPECT_EQ(rows[0].records, (std::vector<std::string>{"10 mx.example.test"}));
  EXPECT_EQ(rows[1].type, "TXT");
  EXPECT_EQ(rows[1].status, dns::Status::Ok);
  EXPECT_EQ(rows[1].ttl_left, 300u);  // capped by max_ttl
  EXPECT_EQ(rows[1].records, (std::vector<std::string>{"v=spf1 -all", "bin\\001\\092"}));
  cache.clear();
  EXPECT_TRUE(cache.entries().empty());
  cache.txt("example.test");
  EXPECT_EQ(inner.calls, 4);
}

TEST(CachingResolver, DisabledWithZeroEntries) {
  FakeResolver inner;
  dns::CachingResolver cache(inner, {0, 86400, 60, {}});
  cache.mx("a.test");
  cache.mx("a.test");
  EXPECT_EQ(inner.calls, 2);
  EXPECT_TRUE(cache.entries().empty());
}

TEST(CachingResolver, ConcurrentUse) {
  FakeResolver inner;
  dns::CachingResolver cache(inner, {50, 86400, 60, {}});
  std::vector<std::thread> threads;
  std::atomic<int> bad{0};
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&, t] {
      for (int i = 0; i < 500; ++i) {
        auto name = "h" + std::to_string((i * 7 + t) % 80) + ".test";
        auto answer = cache.mx(name);
        if (!answer.ok() || answer.records[0].exchange != "mx." + name) ++bad;
        if (i % 100 == 0) cache.entries();
        if (i == 250 && t == 0) cache.clear();
      }
    });
  for (auto& th : threads) th.join();
  EXPECT_EQ(bad, 0);
  EXPECT_LE(cache.stats().entries, 50u);
}

}  // namespace

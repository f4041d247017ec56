// PolicySource's use of DNS and the cache (RFC 8461 §5): a fake resolver answers the
// _mta-sts TXT question; fetches fail here (no TLS context), which is exactly the case
// where a cached, unexpired policy must stay in force. Fetching over HTTPS for real is
// covered by tests/e2e/test_mta_sts.py.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "mtasts/fetch/policy_source.h"
#include "temp_dir.h"

using namespace postern;
using namespace postern::mtasts;

namespace {

struct FakeDns : dns::Resolver {
  dns::TextAnswer txt_answer;
  int address_queries = 0;
  dns::MxAnswer mx(std::string_view) override { return {}; }
  dns::AddressAnswer a(std::string_view) override {
    ++address_queries;
    return {};
  }
  dns::AddressAnswer aaaa(std::string_view) override {
    ++address_queries;
    return {};
  }
  dns::TextAnswer txt(std::string_view) override { return txt_answer; }
  dns::TextAnswer ptr(const util::IpAddress&) override { return {}; }
};

dns::TextAnswer txt(std::vector<std::string> records) {
  dns::TextAnswer a;
  a.status = records.empty() ? dns::Status::NxDomain : dns::Status::Ok;
  a.records = std::move(records);
  return a;
}

class PolicySourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = postern::test::make_temp_dir("sts");
    cache_ = std::make_unique<PolicyCache>(dir_ + "/cache.db");
    source_ = std::make_unique<PolicySource>(dns_, *cache_);
  }
  void TearDown() override { std::system(("rm -rf " + dir_).c_str()); }

  void cache_policy(const std::string& id, int64_t fetched, int64_t max_age) {
    Policy p;
    p.mode = Mode::Enforce;
    p.mx = {"mx.example.test"};
    p.max_age = max_age;
    cache_->put({"example.test", id, p, fetched, fetched + max_age});
  }

  std::string dir_;
  FakeDns dns_;
  std::unique_ptr<PolicyCache> cache_;
  std::unique_ptr<PolicySource> source_;
  FetchOptions options_;
};

}  // namespace

TEST_F(PolicySourceTest, NoRecordMeansNoPolicy) {
  dns_.txt_answer = txt({});
  auto r = source_->lookup("example.test", options_, 1000);
  EXPECT_FALSE(r.policy);
  EXPECT_EQ(r.note, "no _mta-sts record");
  EXPECT_EQ(r.failure, FetchFailure::None) << "a domain without a policy is no failure";
  EXPECT_EQ(dns_.address_queries, 0) << "nothing to fetch without a record";
}

TEST_F(PolicySourceTest, SameIdUsesTheCacheWithoutFetching) {
  cache_policy("abc", 1000, 86400);
  dns_.txt_answer = txt({"v=STSv1; id=abc"});
  auto r = source_->lookup("Example.TEST", options_, 2000);
  ASSERT_TRUE(r.policy);
  EXPECT_EQ(r.policy->mode, Mode::Enforce);
  EXPECT_EQ(r.policy->mx, std::vector<std::string>{"mx.example.test"});
  EXPECT_EQ(dns_.address_queries, 0);
}

TEST_F(PolicySourceTest, TemporaryDnsFailureKeepsTheCachedPolicy) {
  // Vector "SERVFAIL / timeout": keep using the cached policy, not "no policy".
  cache_policy("abc", 1000, 86400);
  dns_.txt_answer.status = dns::Status::TempFail;
  auto r = source_->lookup("example.test", options_, 2000);
  ASSERT_TRUE(r.policy);
  EXPECT_NE(r.note.find("failed temporarily"), std::string::npos) << r.note;
}

TEST_F(PolicySourceTest, NewIdWithFailedFetchKeepsTheUnexpiredCachedPolicy) {
  cache_policy("abc", 1000, 86400);
  dns_.txt_answer = txt({"v=STSv1; id=def"});
  auto r = source_->lookup("example.test", options_, 2000);
  ASSERT_TRUE(r.policy) << r.note;
  EXPECT_NE(r.note.find("using the cached policy id abc"), std::string::npos) << r.note;
}

TEST_F(PolicySourceTest, ExpiredCacheAndFailedFetchMeanNoPolicy) {
  cache_policy("abc", 1000, 10);
  dns_.txt_answer = txt({"v=STSv1; id=abc"});
  auto r = source_->lookup("example.test", options_, 1011);
  EXPECT_FALSE(r.policy) << r.note;
}

TEST_F(PolicySourceTest, SeveralRecordsAreNoPolicy) {
  dns_.txt_answer = txt({"v=STSv1; id=1", "v=STSv1; id=2"});
  auto r = source_->lookup("example.test", options_, 1000);
  EXPECT_FALSE(r.policy);
  EXPECT_EQ(r.note, "several _mta-sts records");
}

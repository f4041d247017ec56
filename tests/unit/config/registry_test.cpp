#include "config/registry.h"

#include <gtest/gtest.h>

#include "config/snapshot.h"

using namespace postern::config;

namespace {
std::optional<std::string> norm(const std::string& key, const std::string& value, std::string* err = nullptr) {
  std::string e;
  auto out = normalize(*find_setting(key), value, e);
  if (err) *err = e;
  return out;
}
}  // namespace

TEST(Registry, RequiredKeysExistWithDocs) {
  for (const char* key : {"smtp.listen", "submission.listen", "submissions.listen", "imap.listen", "imaps.listen",
                          "admin.listen", "smtp.hostname", "smtp.banner", "smtp.max_recipients", "smtp.max_hops",
                          "smtp.max_message_size_mb", "smtp.require_auth", "smtp.lan_skip_auth",
                          "smtp.check_sender_login", "network.lan"}) {
    auto* s = find_setting(key);
    ASSERT_TRUE(s) << key;
    EXPECT_FALSE(s->doc.empty()) << key;
    std::string err;
    EXPECT_TRUE(normalize(*s, s->default_value, err)) << key << ": default is invalid: " << err;
  }
}

TEST(Registry, IntBoundsNameKeyAndRule) {
  std::string err;
  EXPECT_EQ(norm("smtp.max_hops", " 30 "), "30");
  EXPECT_FALSE(norm("smtp.max_hops", "abc", &err));
  EXPECT_EQ(err, "smtp.max_hops: must be a whole number");
  EXPECT_FALSE(norm("smtp.max_hops", "0", &err));
  EXPECT_EQ(err, "smtp.max_hops: must be between 1 and 500");
}

TEST(Registry, BoolsListsAndHostnames) {
  EXPECT_EQ(norm("smtp.require_auth", "ON"), "true");
  EXPECT_FALSE(norm("smtp.require_auth", "maybe"));
  EXPECT_EQ(norm("network.lan", "192.168.1.7/24, ::1"), "192.168.1.0/24,::1/128");
  EXPECT_FALSE(norm("network.lan", "192.168.1.0/24,nonsense"));
  EXPECT_EQ(norm("smtp.listen", "0.0.0.0:25, [::]:25"), "0.0.0.0:25,[::]:25");
  EXPECT_FALSE(norm("smtp.listen", "0.0.0.0:0"));
  EXPECT_FALSE(norm("smtp.listen", "::1:25"));  // IPv6 needs brackets
  EXPECT_FALSE(norm("smtp.listen", "localhost:25"));
  EXPECT_EQ(norm("smtp.listen", ""), "");  // disables the listener
  EXPECT_EQ(norm("smtp.hostname", "Mail.Example.COM"), "mail.example.com");
  EXPECT_FALSE(norm("smtp.hostname", "mail"));
  EXPECT_FALSE(norm("smtp.banner", "two\r\nlines"));
  EXPECT_FALSE(norm("smtp.bare_newline", "ignore"));
}

TEST(Registry, ConsistencyRefusesSharedPorts) {
  Snapshot defaults({});
  auto values = defaults.values();
  EXPECT_FALSE(check_consistency(values));
  values["submission.listen"] = "127.0.0.1:2525";
  auto problem = check_consistency(values);
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("2525"), std::string::npos);
  values["submission.listen"] = "127.0.0.1:2587";
  values["tls.cert_file"] = "/etc/ssl/cert.pem";
  EXPECT_TRUE(check_consistency(values));  // key missing
}

TEST(Snapshot, TypedAccessAndDefaults) {
  Snapshot s({{"smtp.max_recipients", "7"}, {"network.lan", "10.0.0.0/8"}});
  EXPECT_EQ(s.number("smtp.max_recipients"), 7);
  EXPECT_EQ(s.number("smtp.max_hops"), 50);
  EXPECT_TRUE(s.flag("smtp.require_auth"));
  ASSERT_EQ(s.lan().size(), 1u);
  auto l = s.listeners("smtp.listen");
  ASSERT_EQ(l.size(), 1u);
  EXPECT_EQ(l[0].port, 2525);
  EXPECT_THROW(s.flag("smtp.max_hops"), std::logic_error);
}

TEST(Registry, Durations) {
  std::string err;
  EXPECT_EQ(norm("queue.lifetime", "120h"), "5d");
  EXPECT_EQ(norm("queue.lifetime", "90"), "90s");
  EXPECT_EQ(norm("queue.lifetime", "15m"), "15m");
  EXPECT_FALSE(norm("queue.lifetime", "5", &err));  // below the 10 s floor
  EXPECT_EQ(err, "queue.lifetime: must be between 10s and 60d");
  EXPECT_FALSE(norm("queue.lifetime", "5w"));
  EXPECT_FALSE(norm("queue.lifetime", "-1h"));
  EXPECT_EQ(norm("queue.delay_warning", "0"), "0");
  Snapshot s(std::map<std::string, std::string>{{"queue.lifetime", "2h"}});
  EXPECT_EQ(s.seconds("queue.lifetime"), 7200);
}

// The admin API's request bodies read into the facade's input, then checked by
// admin/input.h: what each route accepts, what it refuses (naming the field), and that an
// accepted value is canonical (checking it again changes nothing).
#include "webapp-api/request_bodies.h"

#include <gtest/gtest.h>

#include "config/registry.h"

using namespace postern;

namespace {
std::string field_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const admin::Invalid& e) {
    return e.field.empty() ? "(none)" : e.field;
  }
  return "(accepted)";
}
std::map<std::string, std::string> defaults() {
  std::map<std::string, std::string> out;
  for (const auto& s : config::all_settings()) out[s.key] = s.default_value;
  return out;
}
}  // namespace

TEST(RequestBodies, SettingsPatchTakesScalarsOfTheRightType) {
  auto raw = webapi::settings_patch_body(R"({"security.greet_pause_ms": 800, "security.reject_unauth_pipelining": true})");
  EXPECT_EQ(raw.at("security.greet_pause_ms"), "800");
  EXPECT_EQ(raw.at("security.reject_unauth_pipelining"), "true");
  auto changes = admin::settings_changes(raw, defaults());
  EXPECT_EQ(admin::settings_changes(changes, defaults()), changes);
  EXPECT_EQ(field_of([] { webapi::settings_patch_body(R"({"security.greet_pause_ms": [1]})"); }), "security.greet_pause_ms");
  EXPECT_EQ(field_of([] { webapi::settings_patch_body(R"({"no.such": 1})"); }), "no.such");
  EXPECT_EQ(field_of([] { webapi::settings_patch_body("[1]"); }), "(none)");
  EXPECT_EQ(field_of([] { admin::settings_changes({{"security.greet_pause_ms", "10001"}}, defaults()); }),
            "security.greet_pause_ms");
}

TEST(RequestBodies, RelayRuleIsCanonicalOnceChecked) {
  auto in = webapi::relay_rule_body(
      R"({"name": "p", "kind": "recipient", "patterns": ["Partner.Test"], "host": "Smtp.ISP.test:2525"})");
  auto r = admin::relay_rule(in);
  EXPECT_EQ(r.patterns, std::vector<std::string>{"partner.test"});
  EXPECT_EQ(r.port, 2525);
  EXPECT_EQ(field_of([] { webapi::relay_rule_body(R"({"name": "p", "kind": "sender", "patterns": [], "host": "h.test", "port": 0})"); }),
            "port");
  EXPECT_EQ(field_of([] { webapi::relay_rule_body(R"({"name": "p", "kind": "sender", "patterns": ["a.test"], "host": "h.test", "extra": 1})"); }),
            "extra");
}

TEST(RequestBodies, SecurityRuleAndBlock) {
  auto row = admin::security_rule(webapi::security_rule_body(R"({"list": "white", "type": "sender_domain", "value": "Partner.Test"})"));
  EXPECT_EQ(row.type, "domain");
  EXPECT_EQ(row.value, "partner.test");
  EXPECT_EQ(field_of([] { admin::security_rule(webapi::security_rule_body(R"({"list": "white", "type": "ip", "value": "192.0.2.1", "action": "discard"})")); }),
            "action");
  auto b = webapi::block_body(R"({"ip": "192.0.2.9", "until": 1800000000})");
  EXPECT_EQ(admin::client_block(b.ip, b.reason, b.until, 1700000000).reason, "blocked by the administrator");
  EXPECT_EQ(field_of([&] { admin::client_block(b.ip, b.reason, 1600000000, 1700000000); }), "until");
}

TEST(RequestBodies, AccountAndLogin) {
  auto a = webapi::account_body(R"({"address": "Alice@Example.test", "password": "alice-secret-1"})");
  EXPECT_EQ(admin::account_key(a.address, "address"), "alice@example.test");
  EXPECT_EQ(field_of([] { webapi::account_body(R"({"address": "a@example.test"})"); }), "password");
  EXPECT_EQ(webapi::login_body(R"({"password": "x"})").user, "admin");
  EXPECT_EQ(field_of([] { webapi::login_body(R"({"user": 1, "password": "x"})"); }), "user");
}

// The API's route table against the OpenAPI document (both directions), the strict JSON
// body reader, session expiry and login throttling.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <set>
#include <sstream>

#include "cli/admin_access.h"
#include "webapp-api/api.h"
#include "webapp-api/json_body.h"
#include "webapp-api/sessions.h"

using namespace postern;

namespace {
struct Fixture {
  Fixture()
      : stores(make_dir()),
        api({stores.admin, [] { return std::make_shared<const config::Snapshot>(std::map<std::string, std::string>{}); },
             [] { return webapi::LiveStatus{}; }}) {}
  static std::string make_dir() {
    char tmpl[] = "/tmp/postern-api-XXXXXX";
    return mkdtemp(tmpl);
  }
  cli::AdminAccess stores;  // the stores over one data folder, opened as the CLI opens them
  webapi::Api api;
};
}  // namespace

TEST(Api, RoutesMatchTheOpenApiDocument) {
  std::ifstream in(POSTERN_OPENAPI_JSON);
  ASSERT_TRUE(in) << POSTERN_OPENAPI_JSON;
  auto doc = nlohmann::json::parse(in);
  std::set<std::string> documented, served;
  for (const auto& [path, ops] : doc["paths"].items())
    for (const auto& [method, op] : ops.items()) {
      std::string m = method;
      for (auto& c : m) c = char(toupper(c));
      documented.insert(m + " /api/v1" + path);
    }
  Fixture f;
  for (const auto& r : f.api.routes()) served.insert(r.method + " " + r.pattern);
  EXPECT_EQ(documented, served);
}

TEST(Api, EveryRouteButLoginNeedsASession) {
  Fixture f;
  for (const auto& r : f.api.routes()) {
    webapi::Request req;
    req.method = r.method;
    req.path = r.pattern;
    req.body = "{}";
    auto res = f.api.handle(req);
    if (r.pattern == webapi::Api::kLogin) EXPECT_EQ(res.status, 400);  // no password given
    else EXPECT_EQ(res.status, 401) << r.method << " " << r.pattern;
  }
}

TEST(JsonBody, RefusesBadJsonUnknownFieldsAndWrongTypes) {
  auto field_of = [](auto&& f) {
    try {
      f();
    } catch (const admin::Invalid& e) {
      return e.field.empty() ? std::string("(none)") : e.field;
    }
    return std::string();
  };
  EXPECT_EQ(field_of([] { webapi::JsonBody("{", {"a"}); }), "(none)");
  EXPECT_EQ(field_of([] { webapi::JsonBody("[]", {"a"}); }), "(none)");
  EXPECT_EQ(field_of([] { webapi::JsonBody(R"({"a":"x","b":1})", {"a"}); }), "b");
  EXPECT_EQ(field_of([] { webapi::JsonBody(R"({"a":1})", {"a"}).text("a"); }), "a");
  EXPECT_EQ(field_of([] { webapi::JsonBody(R"({})", {"a"}).text("a"); }), "a");
  EXPECT_EQ(field_of([] { webapi::JsonBody(R"({"a":["x",2]})", {"a"}).text_list("a"); }), "a");
  EXPECT_EQ(field_of([] { webapi::JsonBody(R"({"a":"true"})", {"a"}).boolean("a"); }), "a");
  webapi::JsonBody ok(R"({"a":"x","n":3,"l":["p"],"b":false})", {"a", "n", "l", "b"});
  EXPECT_EQ(ok.text("a"), "x");
  EXPECT_EQ(*ok.integer("n"), 3);
  EXPECT_EQ(ok.text_list("l").size(), 1u);
  EXPECT_FALSE(*ok.boolean("b"));
}

TEST(Sessions, IdleExpiryAndThrottling) {
  webapi::Sessions s;
  auto c = s.create(1000);
  EXPECT_EQ(*s.touch(c.token, 1500, 600), c.csrf);
  EXPECT_FALSE(s.touch(c.token, 2101, 600));  // idle longer than allowed
  EXPECT_FALSE(s.touch("nonsense", 1000, 600));

  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(s.lockout_left("127.0.0.9", 100 + i, 3, 60), 0);
    s.record_failure("127.0.0.9", 100 + i, 60);
  }
  EXPECT_EQ(s.lockout_left("127.0.0.9", 103, 3, 60), 57);
  EXPECT_EQ(s.lockout_left("127.0.0.8", 103, 3, 60), 0);  // other addresses are not affected
  EXPECT_EQ(s.lockout_left("127.0.0.9", 160, 3, 60), 0);  // the first failure left the window
  EXPECT_TRUE(webapi::same_token("abc", "abc"));
  EXPECT_FALSE(webapi::same_token("abc", "abd"));
  EXPECT_FALSE(webapi::same_token("", ""));
}

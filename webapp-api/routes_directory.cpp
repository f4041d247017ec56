// Routes: hosted domains, users (passwords set, never read) and aliases.
#include "api.h"
#include "json_body.h"
#include "request_bodies.h"

namespace postern::webapi {

namespace {
Response created(nlohmann::json body) {
  Response r;
  r.status = 201;
  r.body = std::move(body);
  return r;
}
Response done() {
  Response r;
  r.body = ok();
  return r;
}
nlohmann::json alias_json(const store::AliasEntry& a) { return {{"address", a.address}, {"targets", a.targets}}; }
}  // namespace

void add_directory_routes(Routes& routes, ApiContext& ctx) {
  routes.push_back({"GET", "/api/v1/domains", [&ctx](Request&) {
    Response r;
    r.body = nlohmann::json::array();
    for (const auto& d : ctx.admin.domains()) r.body.push_back({{"name", d}});
    return r;
  }});
  routes.push_back({"POST", "/api/v1/domains", [&ctx](Request& req) {
    JsonBody body(req.body, {"name"});
    return created({{"name", ctx.admin.add_domain(body.text("name"))}});
  }});
  routes.push_back({"DELETE", "/api/v1/domains/{name}", [&ctx](Request& req) {
    ctx.admin.remove_domain(req.params.at("name"));
    return done();
  }});

  routes.push_back({"GET", "/api/v1/users", [&ctx](Request&) {
    Response r;
    r.body = nlohmann::json::array();
    for (const auto& u : ctx.admin.users()) r.body.push_back({{"address", u}});
    return r;
  }});
  routes.push_back({"POST", "/api/v1/users", [&ctx](Request& req) {
    auto body = account_body(req.body);
    return created({{"address", ctx.admin.add_user(body.address, body.password)}});
  }});
  routes.push_back({"PUT", "/api/v1/users/{address}/password", [&ctx](Request& req) {
    JsonBody body(req.body, {"password"});
    ctx.admin.set_user_password(req.params.at("address"), body.text("password"));
    return done();
  }});
  routes.push_back({"DELETE", "/api/v1/users/{address}", [&ctx](Request& req) {
    ctx.admin.remove_user(req.params.at("address"));
    return done();
  }});

  routes.push_back({"GET", "/api/v1/aliases", [&ctx](Request&) {
    Response r;
    r.body = nlohmann::json::array();
    for (const auto& a : ctx.admin.aliases()) r.body.push_back(alias_json(a));
    return r;
  }});
  routes.push_back({"POST", "/api/v1/aliases", [&ctx](Request& req) {
    JsonBody body(req.body, {"address", "targets"});
    auto address = body.text("address");
    return created(alias_json(ctx.admin.add_alias(address, body.text_list("targets"))));
  }});
  routes.push_back({"DELETE", "/api/v1/aliases/{address}", [&ctx](Request& req) {
    ctx.admin.remove_alias(req.params.at("address"));
    return done();
  }});
}

}  // namespace postern::webapi

// Routes: black and white lists (SEC-1), client blocks, the authentication failures (ACC-2)
// with their "block this IP", and the SPF cache (SPF-4). Validation is the facade's.
#include "api.h"
#include "json_body.h"
#include "request_bodies.h"
#include "spf/checker.h"
#include "util/strings.h"

namespace postern::webapi {

namespace {
nlohmann::json rule_json(const store::AccessRow& r) {
  // A whitelist rule has no action (the store keeps the column's default).
  return {{"id", r.id},
          {"list", r.list},
          {"type", r.type},
          {"value", r.value},
          {"action", r.list == "black" ? nlohmann::json(r.action) : nlohmann::json(nullptr)},
          {"created_at", r.created_at}};
}

nlohmann::json block_json(const store::ClientBlock& b) {
  return {{"ip", b.ip}, {"reason", b.reason}, {"since", b.created_at}, {"until", b.expires_at}};
}
}  // namespace

void add_security_routes(Routes& routes, ApiContext& ctx) {
  routes.push_back({"GET", "/api/v1/security-rules", [&ctx](Request&) {
    auto out = nlohmann::json::array();
    for (const auto& r : ctx.admin.security_rules()) out.push_back(rule_json(r));
    return with(200, out);
  }});
  routes.push_back({"POST", "/api/v1/security-rules", [&ctx](Request& req) {
    return with(201, rule_json(ctx.admin.add_security_rule(security_rule_body(req.body))));
  }});
  routes.push_back({"DELETE", "/api/v1/security-rules/{id}", [&ctx](Request& req) {
    long long id = 0;
    if (!util::parse_int(req.params.at("id"), id) || id <= 0) throw admin::NotFound("security rule " + req.params.at("id") + " does not exist");
    ctx.admin.remove_security_rule(id);
    return with(200, ok());
  }});

  routes.push_back({"GET", "/api/v1/blocks", [&ctx](Request&) {
    auto out = nlohmann::json::array();
    for (const auto& b : ctx.admin.blocks()) out.push_back(block_json(b));
    return with(200, out);
  }});
  routes.push_back({"POST", "/api/v1/blocks", [&ctx](Request& req) {
    auto body = block_body(req.body);
    return with(201, block_json(ctx.admin.add_block(body.ip, body.reason, body.until)));
  }});
  routes.push_back({"DELETE", "/api/v1/blocks/{ip}", [&ctx](Request& req) {
    ctx.admin.lift_block(req.params.at("ip"));
    return with(200, ok());
  }});

  routes.push_back({"GET", "/api/v1/auth-failures", [&ctx](Request& req) {
    auto offset = query_number(req, "offset", 0), limit = query_number(req, "limit", 100);
    auto page = ctx.admin.auth_failures(offset, limit);
    auto entries = nlohmann::json::array();
    for (const auto& f : page.entries)
      entries.push_back({{"time", f.time}, {"protocol", f.protocol}, {"session", f.session}, {"ip", f.ip},
                         {"login", f.login}, {"account", f.account.empty() ? nlohmann::json(nullptr) : nlohmann::json(f.account)},
                         {"mechanism", f.mechanism}, {"reason", f.reason}});
    return with(200, {{"entries", entries}, {"total", page.total}, {"offset", offset}, {"limit", limit}});
  }});
  routes.push_back({"POST", "/api/v1/auth-failures/block", [&ctx](Request& req) {
    JsonBody body(req.body, {"ip"});
    return with(201, rule_json(ctx.admin.blacklist_ip(body.text("ip"))));
  }});

  routes.push_back({"GET", "/api/v1/spf/cache", [&ctx](Request&) {
    auto out = nlohmann::json::array();
    for (const auto& e : ctx.admin.spf_cache())
      out.push_back({{"ip", e.ip}, {"domain", e.domain}, {"result", spf::result_name(e.result)},
                     {"explanation", e.explanation}, {"problem", e.problem}, {"expires_at", e.expires}});
    return with(200, out);
  }});
  routes.push_back({"DELETE", "/api/v1/spf/cache", [&ctx](Request&) {
    return with(200, {{"cleared", ctx.admin.clear_spf_cache()}});
  }});
}

}  // namespace postern::webapi

// Routes: DKIM keys of the hosted domains (issue 11) and TLS reports on demand (TLS-4).
// The private key is never in a response; validation is the facade's.
#include "api.h"
#include "json_body.h"

namespace postern::webapi {

namespace {
nlohmann::json key_json(const dkim::Key& k) {
  return {{"domain", k.domain},          {"selector", k.selector},      {"algorithm", k.algorithm},
          {"bits", k.bits},              {"created_at", k.created},     {"record_name", k.dns_name()},
          {"record_value", k.dns_value()}, {"zone_value", k.dns_zone_value()}};
}
}  // namespace

void add_dkim_routes(Routes& routes, ApiContext& ctx) {
  routes.push_back({"GET", "/api/v1/dkim/keys", [&ctx](Request&) {
    auto out = nlohmann::json::array();
    for (const auto& k : ctx.admin.dkim_keys()) out.push_back(key_json(k));
    return with(200, out);
  }});
  routes.push_back({"POST", "/api/v1/dkim/keys", [&ctx](Request& req) {
    JsonBody body(req.body, {"domain", "selector"});
    auto domain = body.text("domain");
    auto selector = body.text_or("selector", "");
    return with(201, key_json(ctx.admin.generate_dkim_key(domain, selector)));
  }});
  routes.push_back({"GET", "/api/v1/dkim/keys/{domain}", [&ctx](Request& req) {
    return with(200, key_json(ctx.admin.dkim_key(req.params.at("domain"))));
  }});
  routes.push_back({"DELETE", "/api/v1/dkim/keys/{domain}", [&ctx](Request& req) {
    ctx.admin.delete_dkim_key(req.params.at("domain"));
    return with(200, ok());
  }});

  routes.push_back({"POST", "/api/v1/tlsrpt/send", [&ctx](Request& req) {
    JsonBody body(req.body.empty() ? "{}" : req.body, {"date"});
    auto results = nlohmann::json::array();
    for (const auto& r : ctx.admin.send_tls_reports(body.text_or("date", "")))
      results.push_back({{"domain", r.domain}, {"status", r.status}, {"report_id", r.report_id},
                         {"recipients", r.recipients}, {"skipped", r.skipped}, {"queue_id", r.queue_id}});
    return with(200, {{"results", results}});
  }});
}

}  // namespace postern::webapi

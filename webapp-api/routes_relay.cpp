// Routes: trusted networks, relay domains, smart-host rules, per-host credentials.
// Passwords are accepted, stored and never returned ("password_set" says one exists).
#include "api.h"
#include "request_bodies.h"

namespace postern::webapi {

namespace {
nlohmann::json rule_json(const store::RelayRule& r) {
  return {{"name", r.name},         {"position", r.position}, {"kind", r.kind},     {"patterns", r.patterns},
          {"host", r.host},         {"port", r.port},         {"tls", r.tls},       {"verify", r.verify},
          {"username", r.username}, {"password_set", !r.password.empty()}};
}
nlohmann::json credentials_json(const store::HostCredentials& c) {
  return {{"host", c.host}, {"username", c.username}, {"password_set", !c.password.empty()}};
}
}  // namespace

void add_relay_routes(Routes& routes, ApiContext& ctx) {
  routes.push_back({"GET", "/api/v1/trusted-networks", [&ctx](Request&) {
    auto out = nlohmann::json::array();
    for (const auto& t : ctx.admin.trusted()) out.push_back({{"name", t.name}, {"networks", t.networks}});
    return with(200, out);
  }});
  routes.push_back({"POST", "/api/v1/trusted-networks", [&ctx](Request& req) {
    auto body = trusted_body(req.body);
    auto t = ctx.admin.add_trusted(body.name, body.networks);
    return with(201, {{"name", t.name}, {"networks", t.networks}});
  }});
  routes.push_back({"DELETE", "/api/v1/trusted-networks/{name}", [&ctx](Request& req) {
    ctx.admin.remove_trusted(req.params.at("name"));
    return with(200, ok());
  }});

  routes.push_back({"GET", "/api/v1/relay-domains", [&ctx](Request&) {
    auto out = nlohmann::json::array();
    for (const auto& d : ctx.admin.relay_domains()) out.push_back({{"domain", d.domain}, {"next_hop", d.next_hop}});
    return with(200, out);
  }});
  routes.push_back({"POST", "/api/v1/relay-domains", [&ctx](Request& req) {
    auto body = relay_domain_body(req.body);
    auto d = ctx.admin.add_relay_domain(body.domain, body.next_hop);
    return with(201, {{"domain", d.domain}, {"next_hop", d.next_hop}});
  }});
  routes.push_back({"DELETE", "/api/v1/relay-domains/{domain}", [&ctx](Request& req) {
    ctx.admin.remove_relay_domain(req.params.at("domain"));
    return with(200, ok());
  }});

  routes.push_back({"GET", "/api/v1/relay-rules", [&ctx](Request&) {
    auto out = nlohmann::json::array();
    for (const auto& r : ctx.admin.rules()) out.push_back(rule_json(r));
    return with(200, out);
  }});
  routes.push_back({"POST", "/api/v1/relay-rules", [&ctx](Request& req) {
    return with(201, rule_json(ctx.admin.add_rule(relay_rule_body(req.body))));
  }});
  routes.push_back({"DELETE", "/api/v1/relay-rules/{name}", [&ctx](Request& req) {
    ctx.admin.remove_rule(req.params.at("name"));
    return with(200, ok());
  }});

  routes.push_back({"GET", "/api/v1/credentials", [&ctx](Request&) {
    auto out = nlohmann::json::array();
    for (const auto& c : ctx.admin.credentials()) out.push_back(credentials_json(c));
    return with(200, out);
  }});
  routes.push_back({"POST", "/api/v1/credentials", [&ctx](Request& req) {
    auto body = credentials_body(req.body);
    return with(201, credentials_json(ctx.admin.set_credentials(body.host, body.username, body.password)));
  }});
  routes.push_back({"DELETE", "/api/v1/credentials/{host}", [&ctx](Request& req) {
    ctx.admin.remove_credentials(req.params.at("host"));
    return with(200, ok());
  }});
}

}  // namespace postern::webapi

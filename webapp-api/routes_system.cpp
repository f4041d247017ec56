// Routes: logs, the TLS certificate, the MTA-STS policy to publish, status and statistics,
// ports and router mapping.
#include <ctime>

#include "api.h"
#include "json_body.h"
#include "tls/certificate_store.h"
#include "util/strings.h"

namespace postern::webapi {

namespace {
// expiry_warning: text 30 days before the end (and after it), null otherwise.
nlohmann::json certificate_json(const tls::CertificateInfo& c) {
  long long now = std::time(nullptr);
  auto warning = tls::expiry_warning(c, now);
  return {{"subject", c.subject},       {"issuer", c.issuer},       {"names", c.names},
          {"not_before", c.not_before}, {"not_after", c.not_after}, {"expires_at", c.expires_at},
          {"days_left", tls::days_left(c, now)},
          {"expiry_warning", warning ? nlohmann::json(*warning) : nlohmann::json(nullptr)},
          {"sha256", c.sha256},         {"self_signed", c.self_signed}, {"chain_length", c.chain_length}};
}

nlohmann::json mta_sts_json(const admin::StsPublication& pub) {
  auto domains = nlohmann::json::array();
  for (const auto& d : pub.domains) {
    auto records = nlohmann::json::array();
    for (const auto& r : d.records)
      records.push_back({{"name", r.name}, {"type", r.type}, {"value", r.value}, {"purpose", r.purpose}});
    domains.push_back({{"domain", d.domain}, {"policy_url", d.policy_url}, {"records", records}});
  }
  return {{"mode", pub.policy.mode}, {"mx", pub.policy.mx},   {"max_age", pub.policy.max_age},
          {"id", pub.id},            {"policy", pub.text},    {"host", pub.host},
          {"domains", domains},      {"warnings", pub.warnings}};
}

// The standard port a router forwards to each service, as MailPlus's guidance shows it.
struct PortAdvice {
  const char* service;
  int public_port;  // 0: keep on the LAN
  const char* purpose;
};
const PortAdvice kAdvice[] = {
    {"smtp", 25, "incoming mail from the Internet (MX)"},
    {"submission", 587, "mail clients sending with STARTTLS"},
    {"submissions", 465, "mail clients sending with implicit TLS"},
    {"imap", 143, "mail clients reading with STARTTLS"},
    {"imaps", 993, "mail clients reading with implicit TLS"},
    {"admin", 0, "this control panel: keep it on the LAN, do not forward it"},
};
}  // namespace

void add_system_routes(Routes& routes, ApiContext& ctx) {
  routes.push_back({"GET", "/api/v1/logs", [](Request&) {
    Response r;
    r.body = {{"logs", admin::Admin::log_names()}};
    return r;
  }});
  routes.push_back({"GET", "/api/v1/logs/{name}", [&ctx](Request& req) {
    auto offset = query_number(req, "offset", 0), limit = query_number(req, "limit", 100);
    auto filter = req.query.count("q") ? req.query.at("q") : "";
    auto page = ctx.admin.read_log(req.params.at("name"), filter, offset, limit);
    Response r;
    r.body = {{"lines", page.lines}, {"total", page.total}, {"offset", offset}, {"limit", limit}};
    return r;
  }});

  routes.push_back({"GET", "/api/v1/tls/certificate", [&ctx](Request&) {
    Response r;
    r.body = certificate_json(ctx.admin.certificate());
    return r;
  }});
  routes.push_back({"POST", "/api/v1/tls/certificate/generate", [&ctx](Request&) {
    Response r;
    r.body = certificate_json(ctx.admin.generate_certificate());
    return r;
  }});
  routes.push_back({"PUT", "/api/v1/tls/certificate", [&ctx](Request& req) {
    JsonBody body(req.body, {"certificate", "private_key"});
    auto chain = body.text("certificate");
    auto key = body.text("private_key");
    Response r;
    r.body = certificate_json(ctx.admin.upload_certificate(chain, key));
    return r;
  }});

  routes.push_back({"GET", "/api/v1/mta-sts", [&ctx](Request&) {
    Response r;
    r.body = mta_sts_json(ctx.admin.mta_sts());
    return r;
  }});

  routes.push_back({"GET", "/api/v1/status", [&ctx](Request&) {
    auto s = ctx.admin.status();
    nlohmann::json certificate = nullptr;
    try {
      auto c = ctx.admin.certificate();
      auto warning = tls::expiry_warning(c, std::time(nullptr));
      certificate = {{"not_after", c.not_after},
                     {"days_left", tls::days_left(c, std::time(nullptr))},
                     {"expiry_warning", warning ? nlohmann::json(*warning) : nlohmann::json(nullptr)}};
    } catch (const admin::NotFound&) {
      // no certificate: status still answers; the certificate route names the problem
    }
    auto live = ctx.live();
    auto rejects = nlohmann::json::array();
    for (const auto& [code, item] : s.rejects)
      rejects.push_back({{"reply", code}, {"count", item.count}, {"example", item.example}});
    Response r;
    r.body = {{"queue",
               {{"recipients", s.queued_recipients},
                {"local", s.queued_local},
                {"remote", s.queued_remote},
                {"held", s.held},
                {"deferred", s.deferred},
                {"oldest_received_at", s.oldest_queued_at}}},
              {"smtp_sessions", live.smtp_sessions},
              {"started_at", live.started_at},
              {"uptime_s", std::time(nullptr) - live.started_at},
              {"sent_per_hour", s.sent_per_hour},
              {"bounced_per_hour", s.bounced_per_hour},
              {"rejects_24h", rejects},
              {"policy_refusals", live.policy_refusals},
              {"certificate", certificate}};
    return r;
  }});
  routes.push_back({"GET", "/api/v1/ports", [&ctx](Request&) {
    auto cfg = ctx.config();
    Response r;
    r.body = nlohmann::json::array();
    for (const auto& a : kAdvice) {
      auto listeners = nlohmann::json::array();
      for (const auto& l : cfg->listeners(std::string(a.service) + ".listen")) listeners.push_back(l.str());
      nlohmann::json item{{"service", a.service}, {"listen", listeners}, {"purpose", a.purpose}};
      if (a.public_port) {
        item["router_port"] = a.public_port;
        item["advice"] = listeners.empty() ? "not listening"
                                           : "forward internet port " + std::to_string(a.public_port) + " to port " +
                                                 std::to_string(cfg->listeners(std::string(a.service) + ".listen")[0].port) +
                                                 " of this NAS";
      } else {
        item["router_port"] = nullptr;
        item["advice"] = "do not forward";
      }
      r.body.push_back(item);
    }
    return r;
  }});
}

}  // namespace postern::webapi

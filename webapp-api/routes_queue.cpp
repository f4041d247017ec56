// Routes: the queue (list with filters, show, retry, hold, release, delete).
#include "api.h"

namespace postern::webapi {

namespace {
nlohmann::json envelope_json(const queue::Envelope& e) {
  return {{"id", e.message_id},         {"sender", e.sender},       {"recipient", e.recipient},
          {"route", queue::route_name(e.route)}, {"transport", e.transport}, {"attempts", e.attempts},
          {"held", e.held},             {"next_try", e.next_try},   {"received_at", e.received_at},
          {"size", e.size},             {"last_error", e.last_error}};
}
}  // namespace

void add_queue_routes(Routes& routes, ApiContext& ctx) {
  routes.push_back({"GET", "/api/v1/queue", [&ctx](Request& req) {
    admin::QueueFilter f;
    if (req.query.count("route")) f.route = req.query.at("route");
    if (req.query.count("held")) {
      const auto& h = req.query.at("held");
      if (h != "true" && h != "false") throw admin::Invalid("held", "held must be true or false");
      f.held = h == "true";
    }
    if (req.query.count("q")) f.text = req.query.at("q");
    Response r;
    r.body = nlohmann::json::array();
    for (const auto& e : ctx.admin.queue_list(f)) r.body.push_back(envelope_json(e));
    return r;
  }});
  routes.push_back({"GET", "/api/v1/queue/{id}", [&ctx](Request& req) {
    auto [envelopes, headers] = ctx.admin.queue_show(req.params.at("id"));
    Response r;
    r.body = {{"id", req.params.at("id")}, {"recipients", nlohmann::json::array()}, {"headers", headers}};
    for (const auto& e : envelopes) r.body["recipients"].push_back(envelope_json(e));
    return r;
  }});
  static const std::pair<const char*, queue::QueueStore::Change> actions[] = {
      {"retry", queue::QueueStore::Change::Retry},
      {"hold", queue::QueueStore::Change::Hold},
      {"release", queue::QueueStore::Change::Release}};
  for (const auto& [name, change] : actions) {
    auto what = change;
    routes.push_back({"POST", std::string("/api/v1/queue/{id}/") + name, [&ctx, what](Request& req) {
      ctx.admin.queue_change(req.params.at("id"), what);
      Response r;
      r.body = ok();
      return r;
    }});
  }
  routes.push_back({"DELETE", "/api/v1/queue/{id}", [&ctx](Request& req) {
    ctx.admin.queue_change(req.params.at("id"), queue::QueueStore::Change::Delete);
    Response r;
    r.body = ok();
    return r;
  }});
}

}  // namespace postern::webapi

// Routes: settings (read, change many at once), and the schema generated from the registry.
// Secrets are write-only: the answer says whether one is set, never its value.
#include "api.h"
#include "config/registry.h"
#include "request_bodies.h"

namespace postern::webapi {

namespace {
nlohmann::json settings_view(const std::map<std::string, std::string>& values) {
  nlohmann::json settings = nlohmann::json::object(), secrets = nlohmann::json::object();
  for (const auto& [key, value] : values) {
    const auto* s = config::find_setting(key);
    if (!s) continue;
    if (s->type == config::Type::Secret) secrets[key] = !value.empty();
    else settings[key] = value;
  }
  return {{"settings", settings}, {"secrets_set", secrets}};
}

}  // namespace

void add_settings_routes(Routes& routes, ApiContext& ctx) {
  routes.push_back({"GET", "/api/v1/settings", [&ctx](Request&) {
    Response r;
    r.body = settings_view(ctx.admin.settings());
    return r;
  }});
  routes.push_back({"PATCH", "/api/v1/settings", [&ctx](Request& req) {
    ctx.admin.set_settings(settings_patch_body(req.body));
    Response r;
    r.body = settings_view(ctx.admin.settings());
    return r;
  }});
  routes.push_back({"GET", "/api/v1/settings/schema", [](Request&) {
    Response r;
    r.body = admin::Admin::settings_schema();
    return r;
  }});
}

}  // namespace postern::webapi

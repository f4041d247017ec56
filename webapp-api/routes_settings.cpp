// Routes: settings (read, change many at once), and the schema generated from the registry.
// Secrets are write-only: the answer says whether one is set, never its value.
#include "api.h"
#include "config/registry.h"
#include "json_body.h"

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

// JSON scalars become the registry's text form; objects, arrays and null are refused.
std::string as_setting_text(const std::string& key, const nlohmann::json& v) {
  const auto* s = config::find_setting(key);
  if (!s) throw admin::Invalid(key, "unknown setting '" + key + "'");
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean() && s->type == config::Type::Bool) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer() && (s->type == config::Type::Int || s->type == config::Type::Duration))
    return std::to_string(v.get<long long>());
  throw admin::Invalid(key, key + ": must be a " + std::string(config::type_name(s->type)) + " value");
}
}  // namespace

void add_settings_routes(Routes& routes, ApiContext& ctx) {
  routes.push_back({"GET", "/api/v1/settings", [&ctx](Request&) {
    Response r;
    r.body = settings_view(ctx.admin.settings());
    return r;
  }});
  routes.push_back({"PATCH", "/api/v1/settings", [&ctx](Request& req) {
    JsonBody body(req.body);
    std::map<std::string, std::string> raw;
    for (const auto& item : body.object().items()) raw[item.key()] = as_setting_text(item.key(), item.value());
    ctx.admin.set_settings(raw);
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

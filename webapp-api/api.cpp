#include "api.h"

#include <ctime>

#include "log/log.h"
#include "util/strings.h"

namespace postern::webapi {

namespace {
bool match(const std::string& pattern, const std::string& path, std::map<std::string, std::string>& params) {
  auto want = util::split_list(pattern, '/'), got = util::split_list(path, '/');
  if (want.size() != got.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < want.size(); ++i) {
    const auto& w = want[i];
    if (w.size() > 2 && w.front() == '{' && w.back() == '}') {
      if (got[i].empty()) return false;
      found[w.substr(1, w.size() - 2)] = got[i];
    } else if (w != got[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

std::string cookie_value(const std::string& header, const std::string& name) {
  for (const auto& part : util::split_list(header, ';')) {
    auto item = std::string(util::trim(part));
    if (item.rfind(name + "=", 0) == 0) return item.substr(name.size() + 1);
  }
  return "";
}

Response error(int status, const std::string& message, const std::string& field = "") {
  Response r;
  r.status = status;
  r.body = {{"error", message}};
  if (!field.empty() || status == 400) r.body["field"] = field.empty() ? nullptr : nlohmann::json(field);
  return r;
}
}  // namespace

nlohmann::json ok() { return {{"ok", true}}; }

Response with(int status, nlohmann::json body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

Api::Api(ApiContext ctx) : ctx_(std::move(ctx)) {
  add_session_routes(routes_, ctx_, sessions_);
  add_settings_routes(routes_, ctx_);
  add_directory_routes(routes_, ctx_);
  add_relay_routes(routes_, ctx_);
  add_queue_routes(routes_, ctx_);
  add_system_routes(routes_, ctx_);
  add_security_routes(routes_, ctx_);
  add_dkim_routes(routes_, ctx_);
}

Response Api::handle(Request& req) {
  const Route* route = nullptr;
  bool path_known = false;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> params;
    if (!match(r.pattern, req.path, params)) continue;
    path_known = true;
    if (r.method == req.method) {
      route = &r;
      req.params = std::move(params);
      break;
    }
  }
  // The session gate comes before 404/405, so a stranger learns nothing about the routes.
  if (req.path != kLogin) {
    auto cfg = ctx_.config();
    req.session = cookie_value(req.cookie, "postern_session");
    auto csrf = sessions_.touch(req.session, std::time(nullptr), cfg->seconds("admin.session_idle"));
    if (!csrf) return error(401, "log in first (POST /api/v1/login)");
    bool state_changing = req.method != "GET" && req.method != "HEAD";
    if (state_changing && !same_token(req.csrf, *csrf))
      return error(403, "missing or wrong X-CSRF-Token header (the token returned by login)");
  }
  if (!route) return path_known ? error(405, "method not allowed") : error(404, "no such API route");
  try {
    return route->handler(req);
  } catch (const HttpError& e) {
    return error(e.status, e.what(), e.field);
  } catch (const admin::Invalid& e) {
    return error(400, e.what(), e.field);
  } catch (const admin::NotFound& e) {
    return error(404, e.what());
  } catch (const store::Refused& e) {
    return error(409, e.what());
  } catch (const std::exception& e) {
    log::write(log::Service::Daemon, "-", "admin API " + req.method + " " + req.path + " failed: " + e.what());
    return error(500, "internal error; see the daemon log");
  }
}

}  // namespace postern::webapi

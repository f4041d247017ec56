// Routes: login, logout, the current session, the admin password.
// Login failures are throttled per client address and written to the auth log.
#include <ctime>

#include "api.h"
#include "json_body.h"
#include "request_bodies.h"
#include "log/auth_log.h"
#include "log/log.h"

namespace postern::webapi {

namespace {
// The one place the API reports a failed admin login (same shape as SMTP's auth lines).
void log_login_failure(const std::string& ip, const std::string& reason) {
  log::auth_failure({"admin", "-", ip, "admin", "admin", "password", reason, ""});
}

std::string session_cookie(const std::string& value, bool https, bool expire) {
  std::string c = "Set-Cookie: postern_session=" + value + "; Path=/api/v1; HttpOnly; SameSite=Strict";
  if (https) c += "; Secure";
  if (expire) c += "; Max-Age=0";
  return c;
}
}  // namespace

void add_session_routes(Routes& routes, ApiContext& ctx, Sessions& sessions) {
  routes.push_back({"POST", Api::kLogin, [&ctx, &sessions](Request& req) {
    auto cfg = ctx.config();
    long long now = std::time(nullptr);
    long long window = cfg->seconds("admin.login_lockout");
    if (long long wait = sessions.lockout_left(req.remote_ip, now, cfg->number("admin.login_max_failures"), window)) {
      log_login_failure(req.remote_ip, "locked-out");
      Response r;
      r.status = 429;
      r.body = {{"error", "too many failed logins from this address; try again in " + std::to_string(wait) + " s"}};
      r.headers.push_back("Retry-After: " + std::to_string(wait));
      return r;
    }
    auto body = login_body(req.body);
    if (body.user != "admin" || !ctx.admin.check_admin_password(body.password)) {
      sessions.record_failure(req.remote_ip, now, window);
      log_login_failure(req.remote_ip, "bad-password");
      throw HttpError(401, "wrong user name or password");
    }
    sessions.record_success(req.remote_ip);
    auto created = sessions.create(now);
    Response r;
    r.body = {{"csrf_token", created.csrf}, {"idle_timeout_s", cfg->seconds("admin.session_idle")}};
    r.headers.push_back(session_cookie(created.token, req.https, false));
    return r;
  }});
  routes.push_back({"POST", "/api/v1/logout", [&sessions](Request& req) {
    sessions.remove(req.session);
    Response r;
    r.body = ok();
    r.headers.push_back(session_cookie("", req.https, true));
    return r;
  }});
  routes.push_back({"GET", "/api/v1/session", [&ctx](Request&) {
    Response r;
    r.body = {{"user", "admin"}, {"idle_timeout_s", ctx.config()->seconds("admin.session_idle")}};
    return r;
  }});
  routes.push_back({"PUT", "/api/v1/admin/password", [&ctx](Request& req) {
    JsonBody body(req.body, {"current_password", "password"});
    auto current = body.text("current_password");
    auto next = body.text("password");
    if (!ctx.admin.check_admin_password(current)) throw admin::Invalid("current_password", "the current password is wrong");
    ctx.admin.set_admin_password(next);
    Response r;
    r.body = ok();
    return r;
  }});
}

}  // namespace postern::webapi

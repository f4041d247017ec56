// The admin JSON API under /api/v1: the route table, the session and CSRF gate in front of
// it, and the mapping of errors to JSON answers. Knows nothing of CivetWeb (http_server.cpp
// feeds it plain Requests) and nothing of SQL (handlers call the admin::Admin facade).
// Error contract: every answer is JSON; 400 {"error","field"} for bad input, 401 without a
// live session, 403 without the session's CSRF token on a state-changing call, 404, 405,
// 409 for conflicts, 429 while a client is locked out of login, 500 for failures (logged).
// Threading: handle() is called from CivetWeb's worker threads concurrently.
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "admin/admin.h"
#include "config/snapshot.h"
#include "http_types.h"
#include "sessions.h"

namespace postern::webapi {

// What the running daemon knows that the stores do not.
struct LiveStatus {
  long long smtp_sessions = 0;
  long long started_at = 0;
  std::map<std::string, uint64_t> policy_refusals;  // policy::Stats, by reason since start
};

struct ApiContext {
  admin::Admin& admin;
  std::function<config::SnapshotPtr()> config;
  std::function<LiveStatus()> live;
};

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/users/{address}"
  std::function<Response(Request&)> handler;
};
using Routes = std::vector<Route>;

class Api {
 public:
  explicit Api(ApiContext ctx);
  Response handle(Request& req);
  const Routes& routes() const { return routes_; }
  // The MTA-STS policy for a request's Host header (outside /api/v1: no session needed).
  std::optional<std::string> mta_sts_policy(const std::string& host) { return ctx_.admin.mta_sts_policy_for(host); }

  static constexpr const char* kBase = "/api/v1";
  static constexpr const char* kLogin = "/api/v1/login";

 private:
  ApiContext ctx_;
  Sessions sessions_;
  Routes routes_;
};

// One file per area adds its routes (routes_*.cpp).
void add_session_routes(Routes& routes, ApiContext& ctx, Sessions& sessions);
void add_settings_routes(Routes& routes, ApiContext& ctx);
void add_directory_routes(Routes& routes, ApiContext& ctx);
void add_relay_routes(Routes& routes, ApiContext& ctx);
void add_queue_routes(Routes& routes, ApiContext& ctx);
void add_system_routes(Routes& routes, ApiContext& ctx);
void add_security_routes(Routes& routes, ApiContext& ctx);
void add_dkim_routes(Routes& routes, ApiContext& ctx);

// The body every 2xx answer without content of its own carries.
nlohmann::json ok();
// An answer with this status and JSON body.
Response with(int status, nlohmann::json body);

}  // namespace postern::webapi

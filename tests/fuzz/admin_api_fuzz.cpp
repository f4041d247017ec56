// Fuzzes what an admin API client controls in a state-changing request: the JSON body of
// PATCH /settings, POST /login, /users, /trusted-networks, /relay-domains, /relay-rules,
// /credentials, /security-rules and /blocks, read by the route's own body reader
// (webapp-api/request_bodies.h) and checked by the facade's own checks (admin/input.h).
// Input: the route's name, a newline, then the body (seeds in corpus/admin_api/).
// Properties: only admin::Invalid escapes, with a message; every answer can be sent as
// strict JSON; a value that was accepted is accepted again unchanged (what is stored is
// canonical, so the daemon reading it back and a second PATCH agree).
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "admin/input.h"
#include "config/registry.h"
#include "webapp-api/request_bodies.h"

using namespace postern;

namespace {

void require(bool ok) {
  if (!ok) __builtin_trap();
}

// What http_server.cpp sends, without its replacement of bad UTF-8: must not throw.
void sendable(const nlohmann::json& j) { (void)j.dump(); }

const std::map<std::string, std::string>& defaults() {
  static const auto values = [] {
    std::map<std::string, std::string> out;
    for (const auto& s : config::all_settings()) out[s.key] = s.default_value;
    return out;
  }();
  return values;
}

void route(const std::string& name, const std::string& body) {
  if (name == "settings") {
    auto changes = admin::settings_changes(webapi::settings_patch_body(body), defaults());
    require(admin::settings_changes(changes, defaults()) == changes);
    sendable(changes);
  } else if (name == "login") {
    auto b = webapi::login_body(body);  // the password check itself needs the store
    sendable({{"user", b.user}});
  } else if (name == "users") {
    auto b = webapi::account_body(body);
    auto key = admin::account_key(b.address, "address");
    require(admin::account_key(key, "address") == key);
    if (auto problem = admin::password_problem(b.password)) throw admin::Invalid("password", *problem);
    sendable({{"address", key}});
  } else if (name == "trusted-networks") {
    auto b = webapi::trusted_body(body);
    auto t = admin::trusted_network(b.name, b.networks);
    require(admin::trusted_network(t.name, t.networks).networks == t.networks);
    sendable({{"name", t.name}, {"networks", t.networks}});
  } else if (name == "relay-domains") {
    auto b = webapi::relay_domain_body(body);
    auto d = admin::relay_domain(b.domain, b.next_hop);
    auto again = admin::relay_domain(d.domain, d.next_hop);
    require(again.domain == d.domain && again.next_hop == d.next_hop);
    sendable({{"domain", d.domain}, {"next_hop", d.next_hop}});
  } else if (name == "relay-rules") {
    auto r = admin::relay_rule(webapi::relay_rule_body(body));
    admin::RuleInput in;
    in.name = r.name;
    in.kind = r.kind;
    in.patterns = r.patterns;
    in.host = r.host;
    in.port = r.port;
    in.tls = r.tls;
    in.verify = r.verify;
    in.username = r.username;
    in.password = r.password;
    auto again = admin::relay_rule(in);
    require(again.patterns == r.patterns && again.host == r.host && again.port == r.port);
    sendable({{"name", r.name}, {"patterns", r.patterns}, {"host", r.host}, {"username", r.username}});
  } else if (name == "credentials") {
    auto b = webapi::credentials_body(body);
    auto c = admin::host_credentials(b.host, b.username, b.password);
    require(admin::host_credentials(c.host, c.username, c.password).host == c.host);
    sendable({{"host", c.host}, {"username", c.username}});
  } else if (name == "security-rules") {
    auto row = admin::security_rule(webapi::security_rule_body(body));
    auto again = admin::security_rule({row.list, row.type, row.value, row.action});
    require(again.list == row.list && again.type == row.type && again.value == row.value && again.action == row.action);
    sendable({{"list", row.list}, {"type", row.type}, {"value", row.value}, {"action", row.action}});
  } else if (name == "blocks") {
    auto b = webapi::block_body(body);
    auto block = admin::client_block(b.ip, b.reason, b.until, 1700000000);
    require(admin::client_block(block.ip, block.reason, block.expires_at, 1700000000).ip == block.ip);
    sendable({{"ip", block.ip}, {"reason", block.reason}});
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string input(reinterpret_cast<const char*>(data), size);
  auto nl = input.find('\n');
  if (nl == std::string::npos) return 0;
  try {
    route(input.substr(0, nl), input.substr(nl + 1));
  } catch (const admin::Invalid& e) {
    // The API answers 400 {"error", "field"}: a reason, and JSON it can send.
    require(e.what()[0] != '\0');
    sendable({{"error", e.what()}, {"field", e.field}});
  }
  return 0;
}

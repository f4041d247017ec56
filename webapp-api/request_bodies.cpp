#include "request_bodies.h"

#include "config/registry.h"
#include "json_body.h"

namespace postern::webapi {

namespace {
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

std::map<std::string, std::string> settings_patch_body(const std::string& body) {
  JsonBody json(body);
  std::map<std::string, std::string> raw;
  for (const auto& item : json.object().items()) raw[item.key()] = as_setting_text(item.key(), item.value());
  return raw;
}

LoginBody login_body(const std::string& body) {
  JsonBody json(body, {"user", "password"});
  LoginBody out;
  out.user = json.text_or("user", "admin");
  out.password = json.text("password");
  return out;
}

AccountBody account_body(const std::string& body) {
  JsonBody json(body, {"address", "password"});
  AccountBody out;
  out.address = json.text("address");
  out.password = json.text("password");
  return out;
}

TrustedBody trusted_body(const std::string& body) {
  JsonBody json(body, {"name", "networks"});
  TrustedBody out;
  out.name = json.text("name");
  out.networks = json.text_list("networks");
  return out;
}

RelayDomainBody relay_domain_body(const std::string& body) {
  JsonBody json(body, {"domain", "next_hop"});
  RelayDomainBody out;
  out.domain = json.text("domain");
  out.next_hop = json.text_or("next_hop", "");
  return out;
}

admin::RuleInput relay_rule_body(const std::string& body) {
  JsonBody json(body, {"name", "kind", "patterns", "host", "port", "tls", "verify", "username", "password"});
  admin::RuleInput in;
  in.name = json.text("name");
  in.kind = json.text("kind");
  in.patterns = json.text_list("patterns");
  in.host = json.text("host");
  if (auto port = json.integer("port")) {
    if (*port < 1 || *port > 65535) throw admin::Invalid("port", "port must be between 1 and 65535");
    in.port = int(*port);
  }
  in.tls = json.text_or("tls", "starttls");
  in.verify = json.boolean("verify").value_or(true);
  in.username = json.text_or("username", "");
  in.password = json.text_or("password", "");
  return in;
}

CredentialsBody credentials_body(const std::string& body) {
  JsonBody json(body, {"host", "username", "password"});
  CredentialsBody out;
  out.host = json.text("host");
  out.username = json.text("username");
  out.password = json.text("password");
  return out;
}

admin::SecurityRuleInput security_rule_body(const std::string& body) {
  JsonBody json(body, {"list", "type", "value", "action"});
  admin::SecurityRuleInput in;
  in.list = json.text("list");
  in.type = json.text("type");
  in.value = json.text("value");
  in.action = json.text_or("action", "");
  return in;
}

BlockBody block_body(const std::string& body) {
  JsonBody json(body, {"ip", "reason", "until"});
  BlockBody out;
  out.ip = json.text("ip");
  out.reason = json.text_or("reason", "");
  out.until = json.integer("until").value_or(0);
  return out;
}

}  // namespace postern::webapi

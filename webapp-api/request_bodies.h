// The JSON bodies of the admin API's state-changing routes, read into the admin facade's
// input types. Pure (no store, no session), so the route handlers and
// tests/fuzz/admin_api_fuzz.cpp run the same code: a body goes through one of these, then
// through admin/input.h's checks, before anything is stored.
// Errors: admin::Invalid naming the field (unknown field, wrong type, missing value).
// Threading: no shared state.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "admin/input.h"

namespace postern::webapi {

// PATCH /settings: {"key": value, ...}; scalars become the registry's text form.
std::map<std::string, std::string> settings_patch_body(const std::string& body);

struct LoginBody {
  std::string user, password;
};
LoginBody login_body(const std::string& body);  // POST /login; user defaults to "admin"

struct AccountBody {
  std::string address, password;
};
AccountBody account_body(const std::string& body);  // POST /users

struct TrustedBody {
  std::string name;
  std::vector<std::string> networks;
};
TrustedBody trusted_body(const std::string& body);  // POST /trusted-networks

struct RelayDomainBody {
  std::string domain, next_hop;
};
RelayDomainBody relay_domain_body(const std::string& body);  // POST /relay-domains

admin::RuleInput relay_rule_body(const std::string& body);  // POST /relay-rules

struct CredentialsBody {
  std::string host, username, password;
};
CredentialsBody credentials_body(const std::string& body);  // POST /credentials

admin::SecurityRuleInput security_rule_body(const std::string& body);  // POST /security-rules

struct BlockBody {
  std::string ip, reason;
  int64_t until = 0;
};
BlockBody block_body(const std::string& body);  // POST /blocks

}  // namespace postern::webapi

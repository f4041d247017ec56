// What an administrator sends, checked without touching any store: each function takes the
// raw input of one change (from the JSON API or the command line) and returns the canonical
// value the facade (admin.h) then stores, or throws Invalid naming the field. Pure and
// deterministic, so tests/fuzz/admin_api_fuzz.cpp drives them with arbitrary input.
// Collaborators: config (registry, normalize, check_consistency), policy (relay validation,
// access rule values), mail::Address, store::maildir_path (mailbox names).
// Errors: Invalid for bad input; nothing else for any input.
// Threading: no shared state.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "store/access_tables.h"
#include "store/directory.h"
#include "store/relay_tables.h"

namespace postern::admin {

class Invalid : public std::runtime_error {
 public:
  Invalid(std::string field, const std::string& message) : std::runtime_error(message), field(std::move(field)) {}
  std::string field;
};

class NotFound : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct RuleInput {
  std::string name, kind;
  std::vector<std::string> patterns;
  std::string host;  // HOST or HOST:PORT
  std::optional<int> port;
  std::string tls = "starttls";
  bool verify = true;
  std::string username, password;
};

struct SecurityRuleInput {
  std::string list, type, value;
  std::string action;  // empty: reject (blacklist) / none (whitelist)
};

// Settings: every value normalised by its registry entry, then the configuration that
// `current` becomes with them checked as a whole. Returns the canonical changes.
std::map<std::string, std::string> settings_changes(const std::map<std::string, std::string>& raw,
                                                    const std::map<std::string, std::string>& current);

// Directory.
std::string domain_name(const std::string& text, const char* field);
// A user or alias address: valid, ASCII (it names a folder), and safe as a folder name.
std::string account_key(const std::string& text, const char* field);
// The rule for passwords Postern stores a hash of; nullopt when `password` passes.
std::optional<std::string> password_problem(const std::string& password);
store::AliasEntry alias_entry(const std::string& address, const std::vector<std::string>& targets);

// Relay control and routing: no entry can open the relay.
store::TrustedNetwork trusted_network(const std::string& name, const std::vector<std::string>& networks);
store::RelayDomain relay_domain(const std::string& domain, const std::string& next_hop);
store::RelayRule relay_rule(const RuleInput& in);
store::HostCredentials host_credentials(const std::string& host, const std::string& username, const std::string& password);

// Black and white lists ("sender_domain" accepted for "domain"); id and created_at are 0.
store::AccessRow security_rule(const SecurityRuleInput& in);
// A client address in its canonical text form.
std::string canonical_ip(const std::string& text);
// A manual block made at `now`: until is future Unix seconds, or 0 for "until lifted".
store::ClientBlock client_block(const std::string& ip, const std::string& reason, int64_t until, int64_t now);

}  // namespace postern::admin

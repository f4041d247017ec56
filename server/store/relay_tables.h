// The relay-control and routing tables of DIR/postern.db: trusted networks (RLY-1), relay
// domains (RLY-2), smart-host rules (DLV-3) and per-host credentials (DLV-4). This layer
// persists; what a valid entry is (no open relay, valid hosts) is decided by the callers
// through policy::validate_* before anything is written. Expected refusals throw
// store::Refused. Threading: safe from any thread.
#pragma once
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/directory.h"
#include "store/sqlite.h"

namespace postern::store {

struct TrustedNetwork {
  std::string name;
  std::vector<std::string> networks;  // CIDR texts
};

struct RelayDomain {
  std::string domain;
  std::string next_hop;  // "host" or "host:port"; empty = the domain's MX
};

struct RelayRule {
  std::string name;
  int position = 0;  // rules are tried in ascending position
  std::string kind;  // "recipient" or "sender"
  std::vector<std::string> patterns;  // addresses, domains, or ".domain" for subdomains
  std::string host;
  int port = 587;
  std::string tls = "starttls";  // starttls | implicit | opportunistic
  bool verify = true;
  std::string username, password;
};

struct HostCredentials {
  std::string host, username, password;
};

class RelayTables {
 public:
  explicit RelayTables(const std::string& db_path);

  void add_trusted(const TrustedNetwork& t);
  void remove_trusted(const std::string& name);
  std::vector<TrustedNetwork> trusted();

  void add_relay_domain(const RelayDomain& d);
  void remove_relay_domain(const std::string& domain);
  std::vector<RelayDomain> relay_domains();
  std::optional<RelayDomain> relay_domain(const std::string& domain);

  void add_rule(RelayRule rule);  // appended after the last rule
  void remove_rule(const std::string& name);
  std::vector<RelayRule> rules();  // in order
  std::optional<RelayRule> rule(const std::string& name);

  void set_credentials(const HostCredentials& c);
  void remove_credentials(const std::string& host);
  std::vector<HostCredentials> credentials();
  std::optional<HostCredentials> credentials_for(const std::string& host);

 private:
  std::mutex mu_;
  Db db_;
};

}  // namespace postern::store

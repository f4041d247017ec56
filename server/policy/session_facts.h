// What policy may know about an SMTP session's client: a read-only copy the session fills in.
#pragma once
#include <string>

#include "util/cidr.h"

namespace postern::policy {

enum class Port { Mx, Submission };  // submission covers both STARTTLS and implicit TLS

struct SessionFacts {
  util::IpAddress client;
  std::string client_text;     // the address as text: the key of per-client counters and blocks
  std::string session_id;      // for logs
  Port port = Port::Mx;
  bool lan = false;            // client address is in network.lan
  bool trusted = false;        // client address is in a trusted-network rule (RLY-1)
  bool tls = false;
  std::string auth_user;       // address key of the authenticated account, empty if none
  bool authenticated() const { return !auth_user.empty(); }
  // LAN and trusted networks are the operator's own machines: rate limits and client
  // identity checks do not apply to them (Postfix's mynetworks exceptions).
  bool own_network() const { return lan || trusted; }
};

}  // namespace postern::policy

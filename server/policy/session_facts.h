// What policy may know about an SMTP session: a read-only copy the session fills in.
#pragma once
#include <string>

#include "util/cidr.h"

namespace postern::policy {

enum class Port { Mx, Submission };  // submission covers both STARTTLS and implicit TLS

struct SessionFacts {
  util::IpAddress client;
  Port port = Port::Mx;
  bool lan = false;            // client address is in network.lan
  bool trusted = false;        // client address is in a trusted-network rule (RLY-1)
  bool tls = false;
  std::string auth_user;       // address key of the authenticated account, empty if none
  bool authenticated() const { return !auth_user.empty(); }
};

}  // namespace postern::policy

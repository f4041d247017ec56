// HELO / EHLO (RFC 5321 §4.1.1.1): greet, reset the transaction, list extensions.
#include "smtp/server/session.h"
#include "util/strings.h"

namespace postern::smtp {

Session::Next Session::cmd_helo(const Command& cmd, bool extended) {
  auto name = std::string(util::trim(cmd.args));
  if (name.empty() || name.find(' ') != std::string::npos)
    return error(501, "5.5.4", std::string("Syntax: ") + (extended ? "EHLO" : "HELO") + " hostname");
  // The name goes into the Received header: control characters would inject header lines.
  for (unsigned char c : name)
    if (c < 33 || c == 127) return error(501, "5.5.2", "Invalid characters in the HELO/EHLO name");
  helo_ = name;
  esmtp_ = extended;
  reset_transaction();
  if (!extended) {
    reply(250, "", hostname());
    return Next::Continue;
  }
  long long max_bytes = cfg_.number("smtp.max_message_size_mb") * 1024 * 1024;
  std::vector<std::string> lines{hostname(), "PIPELINING", "SIZE " + std::to_string(max_bytes), "8BITMIME",
                                 "ENHANCEDSTATUSCODES", "SMTPUTF8"};
  if (!io_.tls() && setup_.tls) lines.push_back("STARTTLS");
  // RFC 8689 §4: only once the session itself is protected.
  if (io_.tls() && cfg_.flag("smtp.requiretls")) lines.push_back("REQUIRETLS");
  if (auth_offered() && !facts_.authenticated()) lines.push_back("AUTH PLAIN LOGIN");
  reply(Reply(250, "", lines));
  return Next::Continue;
}

}  // namespace postern::smtp

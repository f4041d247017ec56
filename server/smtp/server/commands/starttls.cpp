// STARTTLS (RFC 3207): upgrade the connection; all earlier state is forgotten.
#include "smtp/server/session.h"

namespace postern::smtp {

Session::Next Session::cmd_starttls(const Command& cmd) {
  if (io_.tls()) return error(503, "5.5.1", "TLS already active");
  if (!setup_.tls) return error(454, "4.7.0", "TLS not available");
  if (!cmd.args.empty()) return error(501, "5.5.4", "Syntax: STARTTLS");
  reply(220, "2.0.0", "Ready to start TLS");
  if (!flush()) return Next::Close;
  if (!io_.start_tls(setup_.tls->raw(), int(cfg_.number("smtp.command_timeout_s") * 1000))) {
    log("TLS handshake failed");
    return Next::Close;
  }
  facts_.tls = true;
  log("TLS established: " + io_.tls_description());
  helo_.clear();
  esmtp_ = false;
  reset_transaction();
  return Next::Continue;
}

}  // namespace postern::smtp

// AUTH PLAIN / LOGIN (RFC 4954, RFC 4616). Offered under TLS only, unless the admin lets
// LAN clients authenticate in clear; never on the MX listener when security.mx_auth says
// so (ACC-3). Failures go to the authentication-failure log (ACC-2, log::auth_failure).
#include <ctime>

#include "auth/sasl.h"
#include "log/auth_log.h"
#include "log/log.h"
#include "smtp/server/session.h"
#include "util/base64.h"
#include "util/strings.h"

namespace postern::smtp {

std::optional<std::string> Session::read_auth_line() {
  if (!flush()) return std::nullopt;
  std::string line;
  auto st = io_.read_line(line, 12288, int(cfg_.number("smtp.command_timeout_s") * 1000), true);
  if (st == net::ReadStatus::Timeout) reply(421, "4.4.2", hostname() + " Timeout exceeded, closing connection");
  if (st == net::ReadStatus::Stopped) reply(421, "4.3.2", hostname() + " Service shutting down, closing connection");
  if (st == net::ReadStatus::Partial) reply(500, "5.5.2", "Line too long, closing connection");
  if (st != net::ReadStatus::Line) return std::nullopt;
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
  return line;
}

Session::Next Session::cmd_auth(const Command& cmd) {
  auto failed = [&](const std::string& login, const std::string& mechanism, const std::string& reason) {
    std::optional<std::string> account;
    try {
      if (!login.empty()) account = svc_.verifier.account_named(login);
    } catch (const std::exception&) {
    }
    log::auth_failure({"smtp", setup_.id, facts_.client_text, login, account.value_or(""), mechanism, reason, ""});
  };
  if (auth_on_mx_refused()) {
    // ACC-3: port 25 is for other servers; people submit on 587/465.
    auto words = util::split_list(cmd.args, ' ');
    failed("", words.empty() ? "" : util::to_upper(words[0]), "auth-on-mx");
    svc_.policy.count("auth.on_mx");
    const char* refusal = "Authentication not available on this port; use the submission port";
    if (cfg_.text("security.mx_auth") == "refuse_and_block" && !facts_.own_network()) {
      auto until = int64_t(std::time(nullptr)) + cfg_.seconds("security.mx_auth_block");
      svc_.policy.block_client(facts_.client_text, "tried AUTH on the MX port", until);
      log("blocked [" + facts_.client_text + "]: tried AUTH on the MX port");
      reply(503, "5.7.0", refusal);
      return Next::Close;
    }
    return error(503, "5.7.0", refusal);
  }
  if (facts_.authenticated()) return error(503, "5.5.1", "Already authenticated");
  if (sender_) return error(503, "5.5.1", "AUTH not allowed during a mail transaction");
  if (!auth_offered()) {
    if (!io_.tls() && setup_.tls) return error(538, "5.7.11", "Encryption required for requested authentication mechanism");
    return error(503, "5.5.1", "Authentication not enabled");
  }
  auto parts = util::split_list(cmd.args, ' ');
  if (parts.empty() || parts.size() > 2) return error(501, "5.5.4", "Syntax: AUTH mechanism [initial-response]");
  auto mech = util::to_upper(parts[0]);
  std::optional<std::string> initial;
  if (parts.size() == 2) initial = parts[1] == "=" ? std::string() : parts[1];

  std::string user, password;
  auto cancelled = [&](const std::string& l) { return l == "*"; };
  if (mech == "PLAIN") {
    std::string response;
    if (initial) {
      response = *initial;
    } else {
      reply(334, "", "");
      auto line = read_auth_line();
      if (!line) return Next::Close;
      if (cancelled(*line)) return error(501, "5.0.0", "Authentication cancelled");
      response = *line;
    }
    auto creds = auth::decode_plain(response);
    if (!creds) return error(501, "5.5.2", "Cannot decode AUTH PLAIN response");
    if (!creds->authzid.empty() && !util::iequals(creds->authzid, creds->user)) {
      // Acting as someone else is never allowed; log it like any failed login.
      failed(creds->user, "PLAIN", "authzid-mismatch");
      return error(535, "5.7.8", "Authentication credentials invalid");
    }
    user = creds->user;
    password = creds->password;
  } else if (mech == "LOGIN") {
    std::optional<std::string> u;
    if (initial) {
      u = auth::decode_login_step(*initial);
    } else {
      reply(334, "", util::base64_encode("Username:"));
      auto line = read_auth_line();
      if (!line) return Next::Close;
      if (cancelled(*line)) return error(501, "5.0.0", "Authentication cancelled");
      u = auth::decode_login_step(*line);
    }
    if (!u) return error(501, "5.5.2", "Cannot decode AUTH LOGIN response");
    reply(334, "", util::base64_encode("Password:"));
    auto line = read_auth_line();
    if (!line) return Next::Close;
    if (cancelled(*line)) return error(501, "5.0.0", "Authentication cancelled");
    auto p = auth::decode_login_step(*line);
    if (!p) return error(501, "5.5.2", "Cannot decode AUTH LOGIN response");
    user = *u;
    password = *p;
  } else {
    return error(504, "5.5.4", "Unrecognized authentication mechanism");
  }

  auto account = svc_.verifier.check(user, password);
  if (!account) {
    failed(user, mech, "bad-credentials");
    return error(535, "5.7.8", "Authentication credentials invalid");
  }
  facts_.auth_user = *account;
  log("authenticated user=" + *account + " mechanism=" + mech);
  reply(235, "2.7.0", "Authentication successful");
  return Next::Continue;
}

}  // namespace postern::smtp

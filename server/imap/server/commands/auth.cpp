// Connection-level commands: CAPABILITY, ID, ENABLE, NAMESPACE, STARTTLS, LOGIN and
// AUTHENTICATE PLAIN/LOGIN with SASL-IR (RFC 4959). Authentication is refused before TLS
// (LOGINDISABLED) unless imap.auth_plaintext_lan lets LAN clients in; password checks run on
// the server's workers so the event loop never waits for Argon2id. Failures go to the auth
// log, in the same words as SMTP's.
#include "auth/sasl.h"
#include "auth/verifier.h"
#include "imap/proto/response.h"
#include "imap/server/server.h"
#include "imap/server/session.h"
#include "log/auth_log.h"
#include "log/log.h"
#include "util/base64.h"
#include "util/strings.h"

namespace postern::imap {

void Session::cmd_capability(Command& c) {
  untagged("CAPABILITY " + capabilities());
  ok(c.tag, "CAPABILITY completed");
}

void Session::cmd_id(Command& c) {
  if (c.args.size() != 1 || !(c.args[0].is_nil() || c.args[0].is_list())) return bad(c.tag, "ID takes a list or NIL");
  untagged("ID (\"name\" \"Postern\" \"vendor\" \"Postern\")");
  ok(c.tag, "ID completed");
}

void Session::cmd_enable(Command& c) {
  if (c.args.empty()) return bad(c.tag, "ENABLE needs capability names");
  // Nothing here changes behaviour once enabled (no CONDSTORE, no UTF8=ACCEPT yet).
  untagged("ENABLED");
  ok(c.tag, "ENABLE completed");
}

void Session::cmd_namespace(Command& c) {
  untagged("NAMESPACE ((\"\" \".\")) NIL NIL");
  ok(c.tag, "NAMESPACE completed");
}

void Session::cmd_starttls(Command& c) {
  if (tls()) return bad(c.tag, "TLS is already active");
  if (!setup_.tls) return no(c.tag, "TLS is not available");
  ok(c.tag, "Begin TLS negotiation now");
  start_tls(setup_.tls->raw());
}

void Session::log_auth_failure(const std::string& login, const std::string& mech, const std::string& reason) {
  std::optional<std::string> account;
  try {
    if (!login.empty()) account = server_.verifier().account_named(login);
  } catch (const std::exception&) {
  }
  log::auth_failure({"imap", setup_.log_id, setup_.peer_ip, login, account.value_or(""), mech,
                     reason.empty() ? "bad-credentials" : reason, ""});
}

void Session::cmd_login(Command& c) {
  if (!auth_allowed()) return no(c.tag, "[PRIVACYREQUIRED] Use STARTTLS before logging in");
  if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_astring())
    return bad(c.tag, "LOGIN needs a user name and a password");
  verify(c.tag, c.args[0].text, c.args[1].text, "LOGIN");
}

void Session::cmd_authenticate(Command& c) {
  if (!auth_allowed()) return no(c.tag, "[PRIVACYREQUIRED] Use STARTTLS before authenticating");
  if (c.args.empty() || c.args.size() > 2 || !c.args[0].is_atom()) return bad(c.tag, "AUTHENTICATE needs a mechanism");
  std::string mech = util::to_upper(c.args[0].text);
  std::optional<std::string> initial;
  if (c.args.size() == 2) initial = c.args[1].text == "=" ? "" : c.args[1].text;
  waiting_tag_ = c.tag;
  if (mech == "PLAIN") {
    waiting_ = Waiting::AuthPlain;
    if (initial) return auth_continue(*initial);
    send("+ \r\n");
  } else if (mech == "LOGIN") {
    waiting_ = Waiting::AuthLoginUser;
    if (initial) return auth_continue(*initial);
    send("+ " + util::base64_encode("Username:") + "\r\n");
  } else {
    no(c.tag, "Unsupported authentication mechanism");
  }
}

void Session::auth_continue(const std::string& line) {
  std::string tag = waiting_tag_;
  Waiting step = waiting_;
  waiting_ = Waiting::None;
  if (line == "*") return bad(tag, "Authentication cancelled");
  if (step == Waiting::AuthPlain) {
    auto creds = auth::decode_plain(line);
    if (!creds) return bad(tag, "Cannot decode the PLAIN response");
    if (!creds->authzid.empty() && !util::iequals(creds->authzid, creds->user)) {
      log_auth_failure(creds->user, "PLAIN", "authzid-mismatch");
      return no(tag, "[AUTHENTICATIONFAILED] Authentication failed");
    }
    return verify(tag, creds->user, creds->password, "PLAIN");
  }
  auto value = auth::decode_login_step(line);
  if (!value) return bad(tag, "Cannot decode the LOGIN response");
  if (step == Waiting::AuthLoginUser) {
    login_user_ = *value;
    waiting_ = Waiting::AuthLoginPassword;
    waiting_tag_ = tag;
    send("+ " + util::base64_encode("Password:") + "\r\n");
    return;
  }
  verify(tag, login_user_, *value, "LOGIN");
}

void Session::verify(const std::string& tag, const std::string& user, const std::string& password,
                     const std::string& mech) {
  waiting_ = Waiting::Worker;
  set_paused(true);
  auto result = std::make_shared<std::optional<std::string>>();
  auto& verifier = server_.verifier();
  server_.run_in_worker(
      setup_.id, [&verifier, result, user, password] { *result = verifier.check(user, password); },
      [this, tag, user, result, mech] { auth_done(tag, user, *result, mech); });
}

void Session::auth_done(const std::string& tag, const std::string& login, const std::optional<std::string>& account,
                        const std::string& mech) {
  waiting_ = Waiting::None;
  set_paused(false);
  if (!account) {
    log_auth_failure(login, mech, "");
    no(tag, "[AUTHENTICATIONFAILED] Authentication failed");
  } else {
    try {
      store_ = server_.open_store(*account);
      user_ = *account;
      state_ = State::Authenticated;
      server_.session_authenticated(this);
      log::write(log::Service::Daemon, setup_.log_id, "IMAP login user=" + user_ + " ip=" + setup_.peer_ip + " mechanism=" + mech);
      ok(tag, "[CAPABILITY " + capabilities() + "] Logged in");
    } catch (const std::exception& e) {
      log::write(log::Service::Daemon, setup_.log_id, std::string("IMAP mail store unavailable: ") + e.what());
      no(tag, "[UNAVAILABLE] Mail store unavailable");
    }
  }
  reader_.set_max_literal(max_literal());
  resume_input();
}

}  // namespace postern::imap

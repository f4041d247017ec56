#include "smtp/server/session.h"

#include <unistd.h>

#include "log/log.h"

namespace postern::smtp {

namespace {
// Which commands need a prior HELO/EHLO; others (NOOP, QUIT, RSET, HELP, VRFY) do not.
bool needs_greeting(Verb v) {
  return v == Verb::Mail || v == Verb::Rcpt || v == Verb::Data || v == Verb::Auth || v == Verb::StartTls;
}
}  // namespace

Session::Session(net::Transport& transport, Services services, SessionSetup setup)
    : io_(transport), svc_(std::move(services)), setup_(std::move(setup)), cfg_(*setup_.config) {
  facts_.client = util::IpAddress::parse(setup_.peer_ip).value_or(util::IpAddress{});
  facts_.client_text = facts_.client.to_string();  // ::ffff:a.b.c.d and a.b.c.d are one client
  facts_.session_id = setup_.id;
  facts_.lan = util::any_contains(cfg_.lan(), facts_.client);
  try {
    facts_.trusted = svc_.policy.is_trusted(facts_.client);
  } catch (const std::exception&) {
    facts_.trusted = false;  // fail closed: an unreadable table trusts nobody
  }
  facts_.port = setup_.endpoint.service == "smtp" ? policy::Port::Mx : policy::Port::Submission;
  facts_.tls = io_.tls();
}

std::string Session::hostname() const { return cfg_.host_name(); }

void Session::log(const std::string& text) const { log::write(log::Service::Smtp, setup_.id, text); }

void Session::reply(int code, const std::string& enhanced, const std::string& text) { reply(Reply(code, enhanced, text)); }

void Session::reply(const Reply& r) {
  out_ += r.render();
  if (r.code >= 400) log("reply " + r.render().substr(0, r.render().size() - 2));
}

bool Session::flush() {
  if (out_.empty()) return true;
  bool ok = io_.write(out_);
  out_.clear();
  return ok;
}

Session::Next Session::refuse(const policy::Verdict& v) {
  if (v.close) {
    reply(v.code, v.enhanced, v.text);
    return Next::Close;
  }
  return error(v.code, v.enhanced, v.text);
}

Session::Next Session::error(int code, const std::string& enhanced, const std::string& text) {
  reply(code, enhanced, text);
  if (++errors_ >= cfg_.number("smtp.max_errors")) {
    reply(421, "4.7.0", hostname() + " Too many errors, closing connection");
    return Next::Close;
  }
  return Next::Continue;
}

void Session::reset_transaction() {
  sender_.reset();
  smtputf8_ = false;
  requiretls_ = false;
  recipients_.clear();
  accepted_rcpts_ = 0;
  last_rcpt_.clear();
  ctx_.reset_transaction();
}

bool Session::auth_on_mx_refused() const {
  return setup_.endpoint.service == "smtp" && cfg_.text("security.mx_auth") != "allow";
}

bool Session::auth_offered() const {
  if (auth_on_mx_refused()) return false;
  return io_.tls() || (facts_.lan && cfg_.flag("smtp.auth_plaintext_lan"));
}

std::string Session::protocol_name() const {
  if (!esmtp_) return "SMTP";
  std::string p = "ESMTP";
  if (io_.tls()) p += "S";
  if (facts_.authenticated()) p += "A";
  return p;
}

void Session::run() {
  try {
    log("connect from [" + setup_.peer_ip + "] to " + setup_.endpoint.key() + (facts_.lan ? " (lan)" : "") + (facts_.trusted ? " (trusted)" : ""));
    // Bytes sent before the greeting: a client that does not wait for it. Looking once at
    // accept time would race the client's first packet, so the greeting waits a pause
    // (security.greet_pause_ms) during which any input counts, as Postfix's greet wait does.
    ctx_.input_ahead = cfg_.flag("security.reject_unauth_pipelining") &&
                       io_.input_within(int(cfg_.number("security.greet_pause_ms")));
    auto verdict = svc_.policy.on_connect(ctx_, cfg_);
    if (verdict.refused()) {
      reply(verdict.code, verdict.enhanced, verdict.text);
      flush();
      svc_.policy.disconnect(ctx_);
      log("disconnect from [" + setup_.peer_ip + "]");
      return;
    }
    if (ctx_.client_discard) log("client blacklisted with action discard: its messages will be dropped");
    reply(220, "", hostname() + " " + cfg_.text("smtp.banner"));
    std::string line;
    while (!closing_) {
      if (!io_.has_buffered_input() && !flush()) break;
      auto st = io_.read_line(line, size_t(cfg_.number("smtp.max_line_length")),
                              int(cfg_.number("smtp.command_timeout_s") * 1000), true);
      if (st == net::ReadStatus::Partial) {
        // Swallow the rest of the overlong line, then refuse it as a whole.
        while (st == net::ReadStatus::Partial)
          st = io_.read_line(line, size_t(cfg_.number("smtp.max_line_length")), 30000, false);
        if (st != net::ReadStatus::Line) break;
        if (error(500, "5.5.2", "Line too long") == Next::Close) break;
        continue;
      }
      if (st == net::ReadStatus::Timeout) {
        reply(421, "4.4.2", hostname() + " Timeout exceeded, closing connection");
        log("timeout waiting for a command");
        break;
      }
      if (st == net::ReadStatus::Stopped) {
        reply(421, "4.3.2", hostname() + " Service shutting down, closing connection");
        break;
      }
      if (st != net::ReadStatus::Line) break;
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (dispatch(parse_command(line)) == Next::Close) break;
    }
    flush();
  } catch (const std::exception& e) {
    log(std::string("internal error: ") + e.what());
    out_.clear();
    io_.write(Reply(421, "4.3.0", hostname() + " Internal error, closing connection").render());
  }
  svc_.policy.disconnect(ctx_);
  log("disconnect from [" + setup_.peer_ip + "]");
}

Session::Next Session::dispatch(const Command& cmd) {
  if (needs_greeting(cmd.verb) && helo_.empty()) return error(503, "5.5.1", "Send HELO/EHLO first");
  // Only asked when policy wants it: it costs a poll() per command.
  ctx_.input_ahead = cfg_.flag("security.reject_unauth_pipelining") && io_.input_pending();
  if (cmd.verb == Verb::Noop || cmd.verb == Verb::Vrfy || cmd.verb == Verb::Etrn || cmd.verb == Verb::Rset) {
    int delay_s = 0;
    auto v = svc_.policy.junk_command(ctx_, cfg_, delay_s);
    if (v.refused()) return refuse(v);
    if (delay_s > 0) {
      // XXX: the session thread sleeps; one second per ten junk commands is MailPlus's tarpit.
      flush();
      ::sleep(unsigned(delay_s));
    }
  }
  switch (cmd.verb) {
    case Verb::Helo: return cmd_helo(cmd, false);
    case Verb::Ehlo: return cmd_helo(cmd, true);
    case Verb::StartTls: return cmd_starttls(cmd);
    case Verb::Auth: return cmd_auth(cmd);
    case Verb::Mail: return cmd_mail(cmd);
    case Verb::Rcpt: return cmd_rcpt(cmd);
    case Verb::Data: return cmd_data(cmd);
    case Verb::Bdat: return error(502, "5.5.1", "BDAT is not supported; use DATA");
    case Verb::Rset:
    case Verb::Noop:
    case Verb::Quit:
    case Verb::Vrfy:
    case Verb::Expn:
    case Verb::Etrn:
    case Verb::Help: return cmd_simple(cmd);
    case Verb::Unknown: break;
  }
  return error(500, "5.5.2", "Command unrecognized");
}

}  // namespace postern::smtp

// RCPT TO (RFC 5321 §4.1.1.3): the recipient's route is decided here, once.
#include "smtp/server/require_tls.h"
#include "smtp/server/session.h"
#include "util/strings.h"

namespace postern::smtp {

std::string Session::postmaster_domain() const {
  // The domain of our own host name when we host it, else the first hosted domain.
  auto host = hostname();
  auto domains = svc_.policy.hosted_domains();
  for (const auto& d : domains)
    if (host == d || (host.size() > d.size() && host.compare(host.size() - d.size() - 1, d.size() + 1, "." + d) == 0))
      return d;
  return domains.empty() ? host : domains.front();
}

Session::Next Session::cmd_rcpt(const Command& cmd) {
  if (!sender_) return error(503, "5.5.1", "Need MAIL before RCPT");
  ParseError perr;
  std::string args = cmd.args;
  // RFC 5321 §4.1.1.3: "RCPT TO:<Postmaster>" without a domain means our postmaster.
  if (util::iequals(args, "TO:<postmaster>")) args = "TO:<postmaster@" + postmaster_domain() + ">";
  auto parsed = parse_path_command(args, "TO:", false, smtputf8_, perr);
  if (!parsed) return error(perr.code, perr.enhanced, perr.text);
  if (!parsed->params.empty()) return error(555, "5.5.4", "Unsupported parameter " + parsed->params.begin()->first);
  if (accepted_rcpts_ >= size_t(cfg_.number("smtp.max_recipients"))) {
    reply(452, "4.5.3", "Too many recipients");
    return Next::Continue;
  }
  policy::RecipientDecision decision;
  // SPF-10: a bounce (null sender) to an SRS address we made goes back to the original sender.
  if (auto back = sender_->empty() ? svc_.spf.reverse_srs(parsed->address.str(), svc_.policy.hosted_domains()) : std::nullopt) {
    if (auto original = mail::Address::parse(*back)) decision.recipients = svc_.policy.route_system_mail(*original, cfg_);
    if (decision.recipients.empty()) decision.verdict = policy::Verdict::reject(550, "5.1.1", "No such recipient", "recipient.srs_unknown");
    // A refusal judged at MAIL (SPF on the HELO identity) still applies to the bounce.
    if (!ctx_.held.empty() && decision.verdict.accepted()) decision.verdict = ctx_.held.begin()->second;
  } else {
    decision = svc_.policy.check_rcpt(ctx_, parsed->address, cfg_);
    for (const auto& line : ctx_.log_lines) log(line);
    ctx_.log_lines.clear();
  }
  if (decision.verdict.refused()) return refuse(decision.verdict);
  // RFC 8689: the demand for TLS travels with each recipient to the queue.
  const bool requiretls_on = cfg_.flag("smtp.requiretls");
  auto demand = require_tls_reason(requiretls_, *sender_, parsed->address,
                                   requiretls_on ? cfg_.text("smtp.requiretls_rules") : "");
  if (!requiretls_on && demand == "tag") demand.clear();
  // A discarded recipient is answered like any other and never delivered.
  for (auto& r : decision.recipients) {
    r.require_tls = demand;
    // The tag is an instruction to us, not part of the remote mailbox's name.
    if (requiretls_on && r.route == mail::Route::Remote) r.address = without_requiretls_tag(r.address);
    bool dup = false;
    for (const auto& have : recipients_)
      if (have.address == r.address && have.route == r.route) dup = true;
    if (!dup) recipients_.push_back(std::move(r));
  }
  ++accepted_rcpts_;
  last_rcpt_ = parsed->address.str();
  reply(250, "2.1.5", "Recipient <" + parsed->address.str() + "> OK");
  return Next::Continue;
}

}  // namespace postern::smtp

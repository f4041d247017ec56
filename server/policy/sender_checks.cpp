// Checks on the sender (Mail stage, and the sender-domain check of the Rcpt stage):
// submission needs authentication, sender ownership (GEN-3), the per-client message rate,
// the sender/domain lists and the SEC-3 sender policy.
#include <algorithm>

#include "policy/engine.h"

namespace postern::policy {

Verdict Engine::submission_auth(Context& ctx, const config::Snapshot& cfg) {
  if (ctx.facts.port == Port::Submission && !may_relay(ctx.facts, cfg))
    return Verdict::reject(530, "5.7.0", "Authentication required", "submission.auth");
  return Verdict::next();
}

Verdict Engine::sender_login(Context& ctx, const config::Snapshot& cfg) {
  const auto& s = ctx.facts;
  const auto& sender = *ctx.sender;
  if (!s.authenticated() || sender.empty() || (s.lan && cfg.flag("smtp.sender_login_lan_exempt"))) return Verdict::next();
  try {
    if (!owns_address(s.auth_user, sender))
      return Verdict::reject(553, "5.7.1", "Sender address <" + sender.str() + "> is not owned by " + s.auth_user, "sender.login");
  } catch (const std::exception&) {
    return Verdict::tempfail("Sender check temporarily unavailable");
  }
  return Verdict::next();
}

Verdict Engine::anvil_messages(Context& ctx, const config::Snapshot& cfg) {
  if (ctx.facts.own_network()) return Verdict::next();
  AnvilLimits limits;
  limits.messages_per_min = cfg.number("security.max_client_messages_per_minute");
  auto r = anvil_.message(ctx.facts.client_text, limits);
  if (r.ok()) return Verdict::next();
  return Verdict::defer("Error: too many messages from [" + ctx.facts.client_text + "], try again in " +
                            std::to_string(std::max<int64_t>(1, r.until - anvil_.now())) + " seconds",
                        "anvil.messages", 450, "4.7.1");
}

Verdict Engine::sender_access(Context& ctx) {
  auto m = access_rules()->sender(*ctx.sender);
  ctx.whitelist.types |= m.white.types;
  ctx.whitelist.skips |= m.white.skips;
  if (!m.black) return Verdict::next();
  if (m.black->action == AccessAction::Discard) return Verdict::discard("sender.blacklist");
  return Verdict::reject(554, "5.7.1", "<" + ctx.sender->str() + ">: Sender address rejected: Access denied", "sender.blacklist");
}

Verdict Engine::sender_non_fqdn(Context& ctx) {
  const auto& sender = *ctx.sender;
  if (sender.empty() || sender.domain.front() == '[' || sender.domain.find('.') != std::string::npos) return Verdict::next();
  return Verdict::reject(504, "5.5.2", "<" + sender.str() + ">: Sender address rejected: need fully-qualified address",
                         "sender.non_fqdn");
}

Verdict Engine::sender_unknown_domain(Context& ctx) {
  // Only when this recipient leaves the box: local mail is for our users to judge.
  const auto& sender = *ctx.sender;
  bool remote = std::any_of(ctx.routed.begin(), ctx.routed.end(), [](const auto& r) { return r.route == mail::Route::Remote; });
  if (!remote || sender.empty() || sender.domain.front() == '[') return Verdict::next();
  if (!ctx.sender_domain_known) {
    bool temp = false;
    bool known = false;
    auto mx = dns_.mx(sender.domain);
    if (mx.ok()) {
      // A null MX (RFC 7505) says the domain sends no mail either.
      known = !(mx.records.size() == 1 && mx.records[0].exchange.empty());
    } else {
      temp |= mx.status == dns::Status::TempFail;
      auto a = dns_.a(sender.domain);
      auto aaaa = a.ok() ? a : dns_.aaaa(sender.domain);
      known = a.ok() || aaaa.ok();
      temp |= a.status == dns::Status::TempFail || aaaa.status == dns::Status::TempFail;
    }
    if (!known && temp)
      return Verdict::defer("<" + sender.str() + ">: Sender address rejected: Domain not found (DNS temporary failure)",
                            "sender.unknown_domain.tempfail", 451, "4.1.8");
    ctx.sender_domain_known = known;
  }
  if (*ctx.sender_domain_known) return Verdict::next();
  return Verdict::reject(550, "5.1.8", "<" + sender.str() + ">: Sender address rejected: Domain not found",
                         "sender.unknown_domain");
}

bool Engine::owns_address(const std::string& user, const mail::Address& sender) {
  if (sender.key() == user || sender.base_key() == user) return true;
  // An alias whose expansion reaches the user (directly or through other aliases).
  std::vector<std::string> seen;
  std::vector<mail::RoutedRecipient> out;
  bool loop = false, unknown = false;
  for (const auto& key : {sender.key(), sender.base_key()}) {
    if (!directory_.alias_targets(key)) continue;
    expand(key, sender, 0, seen, out, loop, unknown);
    for (const auto& r : out)
      if (r.route == mail::Route::Local && r.mailbox == user) return true;
  }
  return false;
}

}  // namespace postern::policy

#include "policy/engine.h"

#include <algorithm>

#include "policy/relay_validation.h"
#include "util/strings.h"

namespace postern::policy {

namespace {
constexpr int kMaxAliasDepth = 10;
}

bool Engine::is_trusted(const util::IpAddress& client) {
  for (const auto& rule : relay_.trusted())
    for (const auto& text : rule.networks)
      if (auto c = util::Cidr::parse(text); c && c->contains(client)) return true;
  return false;
}

bool Engine::may_relay(const SessionFacts& s, const config::Snapshot& cfg) const {
  if (s.authenticated() || s.trusted) return true;
  if (!s.lan) return false;
  // require_auth off does not open relay to the world: it only stops asking LAN clients.
  return cfg.flag("smtp.lan_skip_auth") || !cfg.flag("smtp.require_auth");
}

Verdict Engine::check_mail(const SessionFacts& s, const mail::Address& sender, const config::Snapshot& cfg) {
  if (s.port == Port::Submission && !may_relay(s, cfg))
    return Verdict::reject(530, "5.7.0", "Authentication required");
  if (s.authenticated() && cfg.flag("smtp.check_sender_login") && !sender.empty() &&
      !(s.lan && cfg.flag("smtp.sender_login_lan_exempt"))) {
    try {
      if (!owns_address(s.auth_user, sender))
        return Verdict::reject(553, "5.7.1", "Sender address <" + sender.str() + "> is not owned by " + s.auth_user);
    } catch (const std::exception&) {
      return Verdict::tempfail("Sender check temporarily unavailable");
    }
  }
  return Verdict::accept();
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

void Engine::expand(const std::string& key, const mail::Address& original, int depth, std::vector<std::string>& seen,
                    std::vector<mail::RoutedRecipient>& out, bool& loop, bool& unknown) {
  if (std::find(seen.begin(), seen.end(), key) != seen.end() || depth > kMaxAliasDepth) {
    loop = true;
    return;
  }
  seen.push_back(key);
  auto at = key.rfind('@');
  std::string domain = key.substr(at + 1);
  if (!directory_.is_local_domain(domain)) {
    out.push_back({key, original.str(), mail::Route::Remote, "", ""});
    return;
  }
  if (directory_.password_hash(key)) {
    bool dup = std::any_of(out.begin(), out.end(), [&](const auto& r) { return r.mailbox == key; });
    if (!dup) out.push_back({key, original.str(), mail::Route::Local, key, ""});
    return;
  }
  auto targets = directory_.alias_targets(key);
  if (!targets) {
    // user+detail@domain delivers to user@domain when no exact entry exists.
    auto parsed = mail::Address::parse(key, true);
    if (parsed && parsed->base_key() != key) {
      seen.pop_back();
      expand(parsed->base_key(), original, depth + 1, seen, out, loop, unknown);
      return;
    }
    unknown = true;
    return;
  }
  for (const auto& t : *targets) {
    auto parsed = mail::Address::parse(t, true);
    if (!parsed) continue;
    expand(parsed->key(), original, depth + 1, seen, out, loop, unknown);
  }
}

std::string Engine::transport_for(const mail::Address& sender, const std::string& rcpt_key, const config::Snapshot& cfg) {
  auto at = rcpt_key.rfind('@');
  auto domain = at == std::string::npos ? rcpt_key : rcpt_key.substr(at + 1);
  if (relay_.relay_domain(domain)) return "relay:" + domain;
  const auto& mode = cfg.text("delivery.mode");
  if (mode == "smarthost") return "smarthost";
  if (mode == "rules") {
    for (const auto& rule : relay_.rules()) {
      const std::string subject = rule.kind == "sender" ? sender.key() : rcpt_key;
      if (subject.empty()) continue;
      for (const auto& p : rule.patterns)
        if (pattern_matches(p, subject)) return "rule:" + rule.name;
    }
  }
  return "direct";
}

RecipientDecision Engine::check_rcpt(const SessionFacts& s, const mail::Address& sender, const mail::Address& rcpt,
                                     const config::Snapshot& cfg) {
  RecipientDecision d;
  try {
    d = resolve(s, rcpt, cfg);
    for (auto& r : d.recipients)
      if (r.route == mail::Route::Remote) r.transport = transport_for(sender, util::to_lower(r.address), cfg);
  } catch (const std::exception&) {
    d.recipients.clear();
    d.verdict = Verdict::tempfail("<" + rcpt.str() + ">: Recipient lookup temporarily unavailable");
  }
  return d;
}

std::vector<mail::RoutedRecipient> Engine::route_system_mail(const mail::Address& rcpt, const config::Snapshot& cfg) {
  std::vector<mail::RoutedRecipient> out;
  std::vector<std::string> seen;
  bool loop = false, unknown = false;
  expand(rcpt.key(), rcpt, 0, seen, out, loop, unknown);
  for (auto& r : out)
    if (r.route == mail::Route::Remote) r.transport = transport_for(mail::Address{}, util::to_lower(r.address), cfg);
  return out;
}

RecipientDecision Engine::resolve(const SessionFacts& s, const mail::Address& rcpt, const config::Snapshot& cfg) {
  RecipientDecision d;
  try {
    if (!directory_.is_local_domain(rcpt.domain)) {
      // Mail for a relay domain is accepted from anyone, like local mail, and passed on.
      if (relay_.relay_domain(rcpt.domain)) {
        d.recipients.push_back({rcpt.str(), rcpt.str(), mail::Route::Remote, "", ""});
        return d;
      }
      if (!may_relay(s, cfg)) {
        d.verdict = Verdict::reject(554, "5.7.1", "<" + rcpt.str() + ">: Relay access denied");
        return d;
      }
      d.recipients.push_back({rcpt.str(), rcpt.str(), mail::Route::Remote, "", ""});
      return d;
    }
    std::vector<std::string> seen;
    bool loop = false, unknown = false;
    expand(rcpt.key(), rcpt, 0, seen, d.recipients, loop, unknown);
    if (d.recipients.empty() && util::iequals(rcpt.local, "postmaster") && !loop) {
      // RFC 5321 §4.5.1: postmaster must be accepted for every hosted domain.
      auto targets = util::split_list(cfg.text("postmaster.recipients"));
      if (targets.empty()) {
        auto first = directory_.first_user(rcpt.domain);
        if (first) targets.push_back(*first);
      }
      for (const auto& t : targets)
        if (auto a = mail::Address::parse(t, true)) expand(a->key(), rcpt, 1, seen, d.recipients, loop, unknown);
    }
    if (d.recipients.empty()) {
      d.verdict = loop ? Verdict::reject(550, "5.4.6", "<" + rcpt.str() + ">: Alias loop detected")
                       : Verdict::reject(550, "5.1.1", "<" + rcpt.str() + ">: Recipient address rejected: User unknown");
    }
  } catch (const std::exception&) {
    d.recipients.clear();
    d.verdict = Verdict::tempfail("<" + rcpt.str() + ">: Recipient lookup temporarily unavailable");
  }
  return d;
}

}  // namespace postern::policy

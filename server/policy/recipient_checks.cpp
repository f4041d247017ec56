// Checks on each recipient (Rcpt stage): the recipient lists, then resolution — local
// users with alias expansion and sub-addressing, postmaster (GEN-6), relay domains (RLY-2)
// and the relay rule (GEN-1, GEN-2, RLY-1, RLY-3) — with the route of each remote
// recipient (DLV-1..3), and the SEC-5 rule that blocks a client sending to too many
// nonexistent local accounts.
#include <algorithm>
#include <ctime>

#include "log/log.h"
#include "policy/engine.h"
#include "policy/relay_validation.h"
#include "util/strings.h"

namespace postern::policy {

namespace {
constexpr int kMaxAliasDepth = 10;

// Today's local date as a number, and the next local midnight: "blocked until the next day"
// means the NAS owner's day.
long long local_day(std::time_t now) {
  std::tm tm{};
  localtime_r(&now, &tm);
  return (tm.tm_year + 1900) * 1000LL + tm.tm_yday;
}
int64_t next_local_midnight(std::time_t now) {
  std::tm tm{};
  localtime_r(&now, &tm);
  tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
  tm.tm_mday += 1;
  tm.tm_isdst = -1;
  return int64_t(std::mktime(&tm));
}
}  // namespace

Verdict Engine::recipient_access(Context& ctx) {
  auto m = access_rules()->recipient(*ctx.rcpt);
  ctx.rcpt_whitelist = m.white;
  ctx.whitelist.types |= m.white.types;
  ctx.whitelist.skips |= m.white.skips;
  if (!m.black) return Verdict::next();
  if (m.black->action == AccessAction::Discard) return Verdict::discard("recipient.blacklist");
  return Verdict::reject(554, "5.7.1", "<" + ctx.rcpt->str() + ">: Recipient address rejected: Access denied",
                         "recipient.blacklist");
}

bool Engine::recipient_whitelist_skips_spf() {
  if (!whitelist_skips(AccessType::Recipient).spf) return false;
  for (const auto& r : access_rules()->rules())
    if (r.list == AccessList::White && r.type == AccessType::Recipient) return true;
  return false;
}

Verdict Engine::recipient_resolve(Context& ctx, const config::Snapshot& cfg) {
  auto d = resolve(ctx.facts, *ctx.rcpt, cfg);
  if (d.verdict.reason == "recipient.unknown") return unknown_recipient(ctx, cfg, std::move(d.verdict));
  if (!d.verdict.accepted()) return d.verdict;
  try {
    for (auto& r : d.recipients)
      if (r.route == mail::Route::Remote) r.transport = transport_for(*ctx.sender, util::to_lower(r.address), cfg);
  } catch (const std::exception&) {
    return Verdict::tempfail("<" + ctx.rcpt->str() + ">: Recipient lookup temporarily unavailable");
  }
  ctx.routed = std::move(d.recipients);
  return Verdict::next();
}

Verdict Engine::unknown_recipient(Context& ctx, const config::Snapshot& cfg, Verdict refusal) {
  if (!cfg.flag("security.block_unknown_recipients") || ctx.facts.own_network() || ctx.facts.authenticated())
    return refusal;
  auto now = std::time(nullptr);
  long long n = anvil_.unknown_recipient(ctx.facts.client_text, local_day(now));
  if (n <= cfg.number("security.max_unknown_recipients")) return refusal;
  auto until = next_local_midnight(now);
  block_client(ctx.facts.client_text, "sent to " + std::to_string(n) + " nonexistent local accounts", until);
  log::write(log::Service::Smtp, ctx.facts.session_id,
             "blocked [" + ctx.facts.client_text + "] until the next day: " + std::to_string(n) + " nonexistent recipients");
  return Verdict::reject(421, "4.7.1",
                         "Client host [" + ctx.facts.client_text + "] blocked until tomorrow: too many nonexistent recipients",
                         "recipient.unknown_block")
      .closing();
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
    out.push_back({key, original.str(), mail::Route::Remote, "", "", ""});
    return;
  }
  if (directory_.password_hash(key)) {
    bool dup = std::any_of(out.begin(), out.end(), [&](const auto& r) { return r.mailbox == key; });
    if (!dup) out.push_back({key, original.str(), mail::Route::Local, key, "", ""});
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
        d.recipients.push_back({rcpt.str(), rcpt.str(), mail::Route::Remote, "", "", ""});
        return d;
      }
      if (!may_relay(s, cfg)) {
        d.verdict = Verdict::reject(554, "5.7.1", "<" + rcpt.str() + ">: Relay access denied", "relay.denied");
        return d;
      }
      d.recipients.push_back({rcpt.str(), rcpt.str(), mail::Route::Remote, "", "", ""});
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
      d.verdict = loop ? Verdict::reject(550, "5.4.6", "<" + rcpt.str() + ">: Alias loop detected", "recipient.alias_loop")
                       : Verdict::reject(550, "5.1.1", "<" + rcpt.str() + ">: Recipient address rejected: User unknown",
                                         "recipient.unknown");
    }
  } catch (const std::exception&) {
    d.recipients.clear();
    d.verdict = Verdict::tempfail("<" + rcpt.str() + ">: Recipient lookup temporarily unavailable");
  }
  return d;
}

}  // namespace postern::policy

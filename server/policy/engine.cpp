#include "policy/engine.h"

#include "log/log.h"

namespace postern::policy {

const char* stage_name(Stage s) {
  switch (s) {
    case Stage::Connect: return "connect";
    case Stage::Helo: return "helo";
    case Stage::Mail: return "mail";
    case Stage::Rcpt: return "rcpt";
    case Stage::Data: return "data";
    case Stage::EndOfData: return "end-of-data";
  }
  return "?";
}

namespace {
std::function<bool(const config::Snapshot&)> when(const char* key) {
  return [key](const config::Snapshot& cfg) { return cfg.flag(key); };
}
}  // namespace

Engine::Engine(store::Directory& directory, store::RelayTables& relay, store::AccessTables& access, dns::Resolver& dns)
    : directory_(directory), relay_(relay), access_(access), dns_(dns) {
  using C = Context;
  using S = config::Snapshot;
  auto pipelining = [this](Stage stage) {
    return Check{"client.pipelining", stage, when("security.reject_unauth_pipelining"),
                 [this, stage](C& c, const S&) { return client_pipelining(c, stage); }};
  };
  // The declarative table: order within a stage is the order of evaluation.
  checks_ = {
      {"client.block", Stage::Connect, nullptr, [this](C& c, const S&) { return client_block(c); }},
      {"client.access", Stage::Connect, nullptr, [this](C& c, const S&) { return client_access(c); }},
      pipelining(Stage::Connect),
      {"anvil.connections", Stage::Connect,
       [](const S& cfg) {
         return cfg.flag("security.limit_client_connections") || cfg.flag("security.limit_client_connection_rate");
       },
       [this](C& c, const S& cfg) { return anvil_connections(c, cfg); }},

      {"permit.own_or_authenticated", Stage::Helo, nullptr,
       [](C& c, const S&) { return c.facts.own_network() || c.facts.authenticated() ? Verdict::permit() : Verdict::next(); }},
      {"client.unknown_hostname", Stage::Helo, when("security.reject_unknown_client_hostname"),
       [this](C& c, const S&) { return client_unknown_hostname(c); }},
      {"helo.non_fqdn", Stage::Helo, when("security.reject_non_fqdn_helo"), [this](C& c, const S&) { return helo_non_fqdn(c); }},
      {"helo.unknown", Stage::Helo, when("security.reject_unknown_helo"), [this](C& c, const S&) { return helo_unknown(c); }},

      pipelining(Stage::Mail),
      {"submission.auth", Stage::Mail, nullptr, [this](C& c, const S& cfg) { return submission_auth(c, cfg); }},
      {"sender.login", Stage::Mail, when("smtp.check_sender_login"), [this](C& c, const S& cfg) { return sender_login(c, cfg); }},
      {"anvil.messages", Stage::Mail, when("security.limit_client_messages"),
       [this](C& c, const S& cfg) { return anvil_messages(c, cfg); }},
      {"sender.access", Stage::Mail, nullptr, [this](C& c, const S&) { return sender_access(c); }},
      {"sender.non_fqdn", Stage::Mail, when("security.reject_non_fqdn_sender"), [this](C& c, const S&) { return sender_non_fqdn(c); }},

      pipelining(Stage::Rcpt),
      {"recipient.access", Stage::Rcpt, nullptr, [this](C& c, const S&) { return recipient_access(c); }},
      {"recipient.resolve", Stage::Rcpt, nullptr, [this](C& c, const S& cfg) { return recipient_resolve(c, cfg); }},
      {"sender.unknown_domain", Stage::Rcpt, when("security.reject_unknown_sender_domain"),
       [this](C& c, const S&) { return sender_unknown_domain(c); }},

      pipelining(Stage::Data),
  };
}

void Engine::add_check(Check check) {
  // After the last check of its stage, so built-in decisions (resolution, relay) come first.
  auto pos = checks_.end();
  for (auto it = checks_.begin(); it != checks_.end(); ++it)
    if (int(it->stage) <= int(check.stage)) pos = std::next(it);
  checks_.insert(pos, std::move(check));
}

Verdict Engine::run_stage(Stage stage, Context& ctx, const config::Snapshot& cfg) {
  for (const auto& check : checks_) {
    if (check.stage != stage || (check.enabled && !check.enabled(cfg))) continue;
    Verdict v;
    try {
      v = check.run(ctx, cfg);
    } catch (const std::exception& e) {
      // A store or resolver failure never lets mail through: try again later.
      log::write(log::Service::Smtp, ctx.facts.session_id, "policy " + check.name + " failed: " + e.what());
      v = Verdict::defer("Temporary policy failure, try again later", check.name + ".tempfail");
    }
    if (v.kind == Verdict::Continue) continue;
    if (v.kind == Verdict::Permit) return Verdict::next();
    if (v.reason.empty()) v.reason = check.name;
    stats_.count(v.reason);
    if (v.kind == Verdict::Discard) {
      log::write(log::Service::Smtp, ctx.facts.session_id,
                 std::string("policy ") + stage_name(stage) + " " + check.name + ": discard (" + v.reason + ")");
    } else {
      log::write(log::Service::Smtp, ctx.facts.session_id,
                 std::string("policy ") + stage_name(stage) + " " + check.name + ": " + std::to_string(v.code) + " " +
                     v.enhanced + " " + v.text + " (" + v.reason + ")");
    }
    return v;
  }
  return Verdict::next();
}

std::shared_ptr<const AccessRuleSet> Engine::access_rules() {
  std::lock_guard<std::mutex> lock(rules_mu_);
  // One small query per check tells whether the CLI (or the API) changed the lists.
  auto serial = access_.serial();
  if (!rules_ || serial != rules_serial_) {
    std::vector<AccessRule> rules;
    for (const auto& row : access_.rules()) {
      auto list = parse_access_list(row.list);
      auto type = parse_access_type(row.type);
      auto action = parse_access_action(row.action);
      if (!list || !type || !action) continue;
      rules.push_back({row.id, *list, *type, row.value, *action});
    }
    rules_ = std::make_shared<const AccessRuleSet>(std::move(rules));
    rules_serial_ = serial;
  }
  return rules_;
}

Verdict Engine::on_connect(Context& ctx, const config::Snapshot& cfg) {
  ctx.reset_transaction();
  auto v = run_stage(Stage::Connect, ctx, cfg);
  ctx.reset_transaction();  // client whitelist and discard marks now known
  return v;
}

void Engine::disconnect(Context& ctx) {
  if (!ctx.anvil_open) return;
  anvil_.disconnect(ctx.facts.client_text);
  ctx.anvil_open = false;
}

Verdict Engine::check_mail(Context& ctx, const mail::Address& sender, const config::Snapshot& cfg) {
  if (ctx.helo_judged != ctx.helo || ctx.helo_verdict.refused()) {
    // Judged again after AUTH: an authenticated client is permitted past the Helo stage.
    ctx.helo_verdict = run_stage(Stage::Helo, ctx, cfg);
    ctx.helo_judged = ctx.helo;
    if (ctx.helo_verdict.refused()) return ctx.helo_verdict;
  }
  ctx.reset_transaction();
  ctx.sender = sender;
  auto v = run_stage(Stage::Mail, ctx, cfg);
  if (v.kind == Verdict::Discard) {
    ctx.discard = true;
    ctx.discard_reason = v.reason;
  }
  if (v.refused()) ctx.reset_transaction();
  return v;
}

RecipientDecision Engine::check_rcpt(Context& ctx, const mail::Address& rcpt, const config::Snapshot& cfg) {
  ctx.rcpt = &rcpt;
  ctx.rcpt_whitelist = {};
  ctx.routed.clear();
  RecipientDecision d;
  d.verdict = run_stage(Stage::Rcpt, ctx, cfg);
  if (d.verdict.kind == Verdict::Discard) ++ctx.discarded_recipients;
  else if (d.verdict.accepted()) d.recipients = std::move(ctx.routed);
  ctx.routed.clear();
  ctx.rcpt = nullptr;
  ctx.rcpt_whitelist = {};
  return d;
}

Verdict Engine::check_data(Context& ctx, const config::Snapshot& cfg) { return run_stage(Stage::Data, ctx, cfg); }

Verdict Engine::check_end_of_data(Context& ctx, const config::Snapshot& cfg) {
  auto v = run_stage(Stage::EndOfData, ctx, cfg);
  if (v.kind == Verdict::Discard) {
    ctx.discard = true;
    ctx.discard_reason = v.reason;
  }
  return v;
}

Verdict Engine::junk_command(Context& ctx, const config::Snapshot& cfg, int& delay_s) {
  delay_s = 0;
  if (!cfg.flag("security.limit_junk_commands")) return Verdict::next();
  long long n = ++ctx.junk_commands;
  if (n > cfg.number("security.max_junk_commands")) {
    stats_.count("session.junk_commands");
    log::write(log::Service::Smtp, ctx.facts.session_id, "policy junk commands: " + std::to_string(n) + " before any mail");
    return Verdict::reject(421, "4.7.0", "Error: too many junk commands, closing connection", "session.junk_commands").closing();
  }
  // MailPlus: one second of delay for every ten junk commands.
  if (n % 10 == 0) delay_s = 1;
  return Verdict::next();
}

void Engine::block_client(const std::string& ip, const std::string& reason, int64_t until) {
  access_.block({ip, reason, 0, until});
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

}  // namespace postern::policy

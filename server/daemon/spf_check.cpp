#include "daemon/spf_check.h"

namespace postern::daemon {

namespace {
constexpr const char* kHeld = "spf";  // key of the held refusal in ctx.held
}

std::vector<policy::Check> spf_checks(spf::Gate& gate, policy::Engine& engine) {
  auto at_mail = [&gate](policy::Context& ctx, const config::Snapshot& cfg) {
    if (ctx.whitelist.skips_spf()) {
      ctx.log_lines.push_back("spf: skipped (whitelist " + ctx.whitelist.describe() + ")");
      return policy::Verdict::next();
    }
    const auto& f = ctx.facts;
    auto d = gate.screen({f.client, ctx.helo, ctx.sender ? ctx.sender->str() : "", f.authenticated(), f.lan || f.trusted},
                         cfg);
    if (!d.log.empty()) ctx.log_lines.push_back(d.log);
    // Kept even on fail: a recipient exempt from SPF gets the message with its Received-SPF.
    if (!d.headers.empty()) ctx.notes[spf::kHeadersNote] = d.headers;
    using A = spf::Decision::Action;
    switch (d.action) {
      case A::Accept: break;
      case A::Reject:
      case A::RejectAndClose: {
        auto v = policy::Verdict::reject(d.code, d.enhanced, d.text, "spf.fail");
        v.close = d.action == A::RejectAndClose;
        ctx.held[kHeld] = std::move(v);
        break;
      }
      case A::Defer: ctx.held[kHeld] = policy::Verdict::defer(d.text, "spf.temperror", d.code, d.enhanced); break;
    }
    return policy::Verdict::next();
  };
  auto at_rcpt = [&engine](policy::Context& ctx, const config::Snapshot&) {
    auto held = ctx.held.find(kHeld);
    if (held == ctx.held.end()) return policy::Verdict::next();
    if (ctx.rcpt_whitelist.skips_spf()) {
      ctx.log_lines.push_back("spf: <" + ctx.rcpt->str() + "> exempt (whitelist recipient)");
      return policy::Verdict::next();
    }
    auto v = held->second;
    v.text = "<" + ctx.rcpt->str() + ">: " + v.text;
    // fail_close: closing is right only when no other recipient could get through.
    if (v.close && engine.recipient_whitelist_skips_spf()) v.close = false;
    return v;
  };
  // Always on: screen() reads the spf.* switches, and a refusal held at MAIL is applied
  // even if the settings change before RCPT.
  return {{"spf", policy::Stage::Mail, nullptr, at_mail}, {"spf", policy::Stage::Rcpt, nullptr, at_rcpt}};
}

}  // namespace postern::daemon

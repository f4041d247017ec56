#include "daemon/spf_check.h"

namespace postern::daemon {

policy::Check spf_check(spf::Gate& gate) {
  auto run = [&gate](policy::Context& ctx, const config::Snapshot& cfg) {
    if (ctx.whitelist.skips_spf()) {
      ctx.log_lines.push_back("spf: skipped (whitelist " + ctx.whitelist.describe() + ")");
      return policy::Verdict::next();
    }
    const auto& f = ctx.facts;
    auto d = gate.screen({f.client, ctx.helo, ctx.sender ? ctx.sender->str() : "", f.authenticated(), f.lan || f.trusted},
                         cfg);
    if (!d.log.empty()) ctx.log_lines.push_back(d.log);
    using A = spf::Decision::Action;
    switch (d.action) {
      case A::Accept:
        ctx.notes[spf::kHeadersNote] = d.headers;
        return policy::Verdict::next();
      case A::Reject:
        return policy::Verdict::reject(d.code, d.enhanced, d.text, "spf.fail");
      case A::RejectAndClose:
        return policy::Verdict::reject(d.code, d.enhanced, d.text, "spf.fail").closing();
      case A::Defer:
        return policy::Verdict::defer(d.text, "spf.temperror", d.code, d.enhanced);
    }
    return policy::Verdict::next();
  };
  return {"spf", policy::Stage::Mail, nullptr, run};
}

}  // namespace postern::daemon

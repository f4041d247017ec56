#include "delivery/transport_security.h"

#include <algorithm>

namespace postern::delivery {

namespace {

std::string demand_text(const std::string& why) {
  return why == "mail" ? "REQUIRETLS" : why == "tag" ? "RequireTLS (+requiretls address)" : "RequireTLS (rule)";
}

}  // namespace

std::optional<queue::Outcome> SecurityPlan::apply(const SecurityInput& in, std::vector<smtp::Hop>& hops) {
  domain_ = in.domain;
  require_tls_ = in.require_tls;
  if (in.direct && in.sts && in.sts->policy) {
    has_policy_ = true;
    mode_ = in.sts->policy->mode;
    mx_ = in.sts->policy->mx;
  }
  bool enforce = has_policy_ && mode_ == mtasts::Mode::Enforce;
  if (enforce) {
    // §4.1: MX hosts the policy does not list are not candidates at all.
    hops.erase(std::remove_if(hops.begin(), hops.end(),
                              [&](const smtp::Hop& h) { return !mtasts::mx_matches(mx_, h.name); }),
               hops.end());
    if (hops.empty())
      return queue::Outcome{queue::Outcome::TempFail,
                            "MTA-STS policy of " + domain_ + " (enforce) lists none of its MX hosts (" +
                                in.sts->note + "); not sending",
                            "4.7.5", ""};
  }
  if (!require_tls_.empty() && in.direct && !enforce && !in.mx_secure)
    return queue::Outcome{queue::Outcome::PermFail,
                          demand_text(require_tls_) + ": the MX hosts of " + domain_ +
                              " are validated neither by an MTA-STS policy in enforce mode nor by DNSSEC",
                          "5.7.10", ""};
  validated_by_dnssec_ = !require_tls_.empty() && in.direct && !enforce && in.mx_secure;
  if (enforce || !require_tls_.empty()) {
    for (auto& h : hops) {
      if (h.tls != smtp::Hop::Tls::Implicit) h.tls = smtp::Hop::Tls::Required;
      h.verify = true;
    }
  }
  return std::nullopt;
}

void SecurityPlan::review(queue::Outcome& o, const smtp::Transfer& t, const smtp::Hop& hop) const {
  // The admin reading delivery.log should see what vouched for the MX name.
  if (validated_by_dnssec_ && o.status == queue::Outcome::Delivered)
    o.detail += " [" + demand_text(require_tls_) + ": MX of " + domain_ + " validated by DNSSEC]";
  if (has_policy_ && mode_ == mtasts::Mode::Testing) {
    // Testing mode (§5): deliver as usual, report what enforce mode would have refused.
    std::string problem = !mtasts::mx_matches(mx_, hop.name) ? "MX host " + hop.name + " is not in the policy"
                          : t.tls.empty()                    ? "no TLS"
                          : !t.tls_verified                  ? "certificate did not verify for " + hop.name
                                                             : "";
    if (!problem.empty()) o.detail += " [MTA-STS testing policy of " + domain_ + " not met: " + problem + "]";
  }
}

void SecurityPlan::review_failure(queue::Outcome& o) const {
  if (o.status != queue::Outcome::TempFail) return;
  if (o.enhanced == "5.7.30") {  // the last host tried lacks REQUIRETLS: return the message
    o.status = queue::Outcome::PermFail;
    return;
  }
  bool tls_failure = o.enhanced.rfind("4.7.", 0) == 0;
  if (!require_tls_.empty() && tls_failure) {
    // RFC 8689 §5: rather than travel unprotected, the message is returned.
    o.status = queue::Outcome::PermFail;
    o.enhanced = "5.7.10";
    o.detail = demand_text(require_tls_) + ": no verified TLS session with a mail host of " + domain_ + ": " + o.detail;
    return;
  }
  if (has_policy_ && mode_ == mtasts::Mode::Enforce && tls_failure)
    o.detail = "MTA-STS policy of " + domain_ + " (enforce) not met, not sending: " + o.detail;
}

}  // namespace postern::delivery

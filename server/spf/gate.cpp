#include "spf/gate.h"

#include <unistd.h>

#include <cctype>
#include <ctime>

#include "util/strings.h"

namespace postern::spf {

Checker make_checker(const config::Snapshot& cfg, dns::Resolver& resolver) {
  CheckerOptions o;
  o.void_lookup_limit = int(cfg.number("spf.void_lookup_limit"));
  o.receiver = cfg.text("smtp.hostname");
  if (o.receiver.empty()) {
    char name[256] = {};
    o.receiver = ::gethostname(name, sizeof name - 1) == 0 && name[0] ? name : "localhost";
  }
  return Checker(resolver, o);
}

namespace {

std::string domain_of(const std::string& address) {
  auto at = address.rfind('@');
  return util::to_lower(at == std::string::npos ? address : address.substr(at + 1));
}

bool hosted(const std::string& domain, const std::vector<std::string>& domains) {
  for (const auto& d : domains)
    if (util::to_lower(d) == domain) return true;
  return false;
}

// SPF-7: the domain or one of its parents is in the approved list.
bool approved(const std::string& domain, const std::string& list) {
  for (auto item : util::split_list(list)) {
    std::string a = util::to_lower(item);
    while (!a.empty() && a.back() == '.') a.pop_back();
    if (a.empty()) continue;
    if (domain == a || (domain.size() > a.size() && domain.compare(domain.size() - a.size() - 1, a.size() + 1, "." + a) == 0))
      return true;
  }
  return false;
}

}  // namespace

Verdict Gate::check(Checker& checker, const GateFacts& f, bool helo_identity, bool use_cache) {
  std::string sender = helo_identity || f.sender.empty() ? "postmaster@" + f.helo : f.sender;
  std::string domain = domain_of(sender);
  std::string ip = f.client.to_string();
  int64_t now = int64_t(std::time(nullptr));
  if (use_cache && cache_) {
    if (auto hit = cache_->get(ip, domain, now)) {
      Verdict v;
      v.result = hit->result;
      v.identity = helo_identity ? "helo" : "mailfrom";
      v.domain = domain;
      v.sender = sender;
      v.explanation = hit->explanation;
      v.problem = hit->problem;
      v.ttl = uint32_t(hit->expires - now);
      return v;
    }
  }
  Verdict v = helo_identity ? checker.check_helo(f.client, f.helo) : checker.check_mail_from(f.client, f.helo, f.sender);
  if (use_cache && cache_) cache_->put(ip, v, now);
  return v;
}

Decision Gate::screen(const GateFacts& f, const config::Snapshot& cfg) {
  Decision d;
  bool mail_from = cfg.flag("spf.verify_mail_from"), helo = cfg.flag("spf.check_helo");
  if (!mail_from && !helo) return d;
  if (f.authenticated && cfg.flag("spf.skip_authenticated")) return d.log = "spf: skipped (authenticated)", d;
  if (f.trusted && cfg.flag("spf.skip_trusted")) return d.log = "spf: skipped (trusted network)", d;
  for (const auto& item : util::split_list(cfg.text("spf.whitelist")))
    if (auto net = util::Cidr::parse(item); net && net->contains(f.client)) return d.log = "spf: skipped (spf.whitelist)", d;

  Checker checker = make_checker(cfg, resolver_);
  bool use_cache = cfg.flag("spf.cache");
  bool header = cfg.flag("spf.received_header"), skip_none = cfg.flag("spf.header_skip_none");

  // Applies one verdict; returns true when the decision is final (reject/defer).
  auto apply = [&](const Verdict& v) {
    d.log += std::string(d.log.empty() ? "spf:" : "") + " " + v.identity + "=" + result_name(v.result) + "(" + v.domain + ")";
    if (header && !(skip_none && v.result == Result::None))
      d.headers += checker.received_spf_header(v, f.client, f.helo) + "\r\n";
    if (v.result == Result::TempError) {
      // RFC 7372 §3.2 / RFC 7208 §8.6: try again later.
      d.action = Decision::Action::Defer;
      d.code = 451;
      d.enhanced = "4.7.24";
      d.text = "SPF validation error (DNS) for " + v.domain + ", try again later";
      return true;
    }
    if (v.result == Result::Fail) {
      if (cfg.flag("spf.fail_reject")) {
        d.action = cfg.flag("spf.fail_close") ? Decision::Action::RejectAndClose : Decision::Action::Reject;
        d.code = 550;
        d.enhanced = "5.7.23";
        d.text = "SPF validation failed: " + (v.explanation.empty() ? v.domain + " does not permit this host" : v.explanation);
        return true;
      }
      d.score += int(cfg.number("spf.fail_score"));
    }
    if (v.result == Result::Pass && v.identity == "mailfrom" && approved(v.domain, cfg.text("spf.approved_domains")))
      d.score += int(cfg.number("spf.approved_score"));
    return false;
  };

  // HELO first (RFC 7208 §2.3). A HELO that is not a usable domain (an address literal,
  // a single label) has result none and is not worth a header.
  if (helo && !f.helo.empty()) {
    Verdict hv = check(checker, f, true, use_cache);
    if (!(hv.result == Result::None && !hv.problem.empty()) && apply(hv)) return d;
  }
  // With a null sender the MAIL FROM identity is postmaster@helo: already checked above.
  if (mail_from && !(f.sender.empty() && helo)) {
    Verdict mv = check(checker, f, false, use_cache);
    if (apply(mv)) return d;
  }
  if (d.score != 0) d.headers += std::string(kSpamScoreHeader) + ": " + std::to_string(d.score) + "\r\n";
  return d;
}

std::vector<Envelope> Gate::envelopes(const std::string& sender, std::vector<mail::RoutedRecipient> recipients,
                                      const std::vector<std::string>& hosted_domains, const config::Snapshot& cfg) const {
  std::vector<Envelope> out{{sender, {}}};
  bool rewrite = srs_ && cfg.flag("spf.forward_local_sender") && !sender.empty() && !Srs::is_srs(sender) &&
                 !hosted(domain_of(sender), hosted_domains);
  auto now = int64_t(std::time(nullptr));
  for (auto& r : recipients) {
    // A remote recipient whose final address differs from the RCPT TO address came from
    // an alias: the copy is forwarded, in the name of the alias's (hosted) domain.
    bool forwarded = r.route == mail::Route::Remote && util::to_lower(r.address) != util::to_lower(r.original);
    std::string alias_domain = domain_of(r.original);
    if (!rewrite || !forwarded || !hosted(alias_domain, hosted_domains)) {
      out[0].recipients.push_back(std::move(r));
      continue;
    }
    std::string srs_sender = srs_->forward(sender, alias_domain, now);
    Envelope* e = nullptr;
    for (auto& have : out)
      if (have.sender == srs_sender) e = &have;
    if (!e) e = &out.emplace_back(Envelope{srs_sender, {}});
    e->recipients.push_back(std::move(r));
  }
  if (out[0].recipients.empty()) out.erase(out.begin());
  return out;
}

std::optional<std::string> Gate::reverse_srs(const std::string& rcpt, const std::vector<std::string>& hosted_domains) const {
  if (!srs_ || !Srs::is_srs(rcpt) || !hosted(domain_of(rcpt), hosted_domains)) return std::nullopt;
  return srs_->reverse(rcpt, int64_t(std::time(nullptr)));
}

}  // namespace postern::spf

#include "mtasts/fetch/policy_source.h"

#include "mtasts/fetch/https_get.h"
#include "mtasts/record.h"
#include "util/strings.h"

namespace postern::mtasts {

std::optional<Policy> PolicySource::fetch(const std::string& domain, const FetchOptions& options, std::string& why,
                                          FetchFailure& failure) {
  failure = FetchFailure::None;  // our own TLS set-up is no failure of the domain's
  if (!options.tls) {
    why = "outbound TLS is unavailable";
    return std::nullopt;
  }
  failure = FetchFailure::Fetch;
  const std::string host = "mta-sts." + domain;
  auto a = dns_.a(host);
  auto aaaa = a.ok() ? dns::AddressAnswer{} : dns_.aaaa(host);
  const auto& addresses = a.ok() ? a : aaaa;
  if (!addresses.ok()) {
    why = "policy host " + host + " has no address (" + dns::status_name(addresses.status) + ")";
    return std::nullopt;
  }
  HttpsRequest req;
  req.host = host;
  req.port = options.port;
  req.path = "/.well-known/mta-sts.txt";
  req.timeout_ms = options.timeout_ms;
  HttpsResponse res;
  for (const auto& ip : addresses.records) {
    req.ip = ip.to_string();
    res = https_get(req, options.tls);
    if (res.status != 0) break;  // an HTTP answer, good or bad, is the server's word
  }
  if (!res.error.empty()) {
    if (res.certificate_invalid) failure = FetchFailure::Certificate;
    why = "fetching https://" + host + req.path + " failed: " + res.error;
    return std::nullopt;
  }
  if (res.status != 200) {
    why = "https://" + host + req.path + " answered HTTP " + std::to_string(res.status) +
          (res.status >= 300 && res.status < 400 ? " (redirects are not followed)" : "");
    return std::nullopt;
  }
  failure = FetchFailure::Invalid;
  if (!is_policy_media_type(res.content_type)) {
    why = "policy served as " + (res.content_type.empty() ? std::string("no media type") : res.content_type.substr(0, 60)) +
          ", not text/plain";
    return std::nullopt;
  }
  std::string problem;
  auto policy = parse_policy(res.body, &problem);
  if (!policy) why = "policy of " + domain + " is invalid: " + problem;
  if (policy) failure = FetchFailure::None;
  return policy;
}

Lookup PolicySource::lookup(const std::string& raw_domain, const FetchOptions& options, int64_t now) {
  const std::string domain = util::to_lower(raw_domain);
  Lookup out;
  auto cached = cache_.get(domain, now);
  auto keep_cached = [&](const std::string& why) {
    if (cached) {
      out.policy = cached->policy;
      out.note = why + "; using the cached policy id " + cached->id;
    } else {
      out.note = why;
    }
    return out;
  };
  auto txt = dns_.txt("_mta-sts." + domain);
  if (txt.status == dns::Status::TempFail) return keep_cached("_mta-sts TXT lookup failed temporarily");
  auto found = discover(txt.ok() ? txt.records : std::vector<std::string>{});
  if (found.kind != Discovery::Found) {
    // §5.1: without a record the sender keeps honouring a policy it cached until expiry.
    return keep_cached(found.kind == Discovery::None       ? "no _mta-sts record"
                       : found.kind == Discovery::Multiple ? "several _mta-sts records"
                                                           : "malformed _mta-sts record");
  }
  if (cached && cached->id == found.id) {
    out.policy = cached->policy;
    out.note = "policy id " + found.id + " (cached)";
    return out;
  }
  // XXX: fetched here, in the delivery worker, and only once the id changed or the cached
  // copy expired; RFC 8461 §5.1 suggests refreshing ahead of expiry in the background.
  std::string why;
  auto policy = fetch(domain, options, why, out.failure);
  if (!policy) return keep_cached(why);
  cache_.put({domain, found.id, *policy, now, now + policy->max_age});
  out.policy = policy;
  out.note = "policy id " + found.id + " (fetched)";
  return out;
}

}  // namespace postern::mtasts

#include "admin/mta_sts_publish.h"

#include <openssl/evp.h>

#include "admin/admin.h"
#include "config/registry.h"
#include "util/strings.h"

namespace postern::admin {

std::string policy_text(const StsPolicy& policy) {
  std::string out = "version: STSv1\r\nmode: " + policy.mode + "\r\n";
  for (const auto& mx : policy.mx) out += "mx: " + mx + "\r\n";
  out += "max_age: " + std::to_string(policy.max_age) + "\r\n";
  return out;
}

std::string policy_id(const std::string& text) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(text.data(), text.size(), md, &len, EVP_sha256(), nullptr);
  static const char* hex = "0123456789abcdef";
  std::string id;
  for (unsigned i = 0; i < 10 && i < len; ++i) {
    id += hex[md[i] >> 4];
    id += hex[md[i] & 15];
  }
  return id;
}

bool name_covers(const std::string& name, const std::string& host) {
  auto n = util::to_lower(name), h = util::to_lower(host);
  if (n == h) return true;
  // "*.example.com" covers exactly one more label: "mx.example.com", not "a.mx.example.com".
  if (n.size() > 2 && n.compare(0, 2, "*.") == 0) {
    auto dot = h.find('.');
    return dot != std::string::npos && h.substr(dot) == n.substr(1) && dot > 0;
  }
  return false;
}

StsDomain domain_records(const std::string& domain, const StsPublication& pub, const std::string& report_to) {
  StsDomain d;
  d.domain = domain;
  d.policy_url = "https://mta-sts." + domain + "/.well-known/mta-sts.txt";
  std::string rua;  // RFC 8460: a comma list of URIs
  for (const auto& address : report_to.empty() ? std::vector<std::string>{"postmaster@" + domain} : util::split_list(report_to))
    rua += (rua.empty() ? "mailto:" : ",mailto:") + address;
  d.records.push_back({"_mta-sts." + domain, "TXT", "v=STSv1; id=" + pub.id,
                       "announces the policy; its id changes with the policy"});
  d.records.push_back({"_smtp._tls." + domain, "TXT", "v=TLSRPTv1; rua=" + rua,
                       "where senders send their daily TLS reports (RFC 8460)"});
  d.records.push_back({"mta-sts." + domain, "CNAME", pub.host + ".",
                       "the HTTPS host senders fetch the policy from; its certificate must name mta-sts." + domain});
  int preference = 10;
  for (const auto& mx : pub.policy.mx) {
    if (mx.compare(0, 2, "*.") == 0) continue;  // a pattern, not a host to publish
    d.records.push_back({domain, "MX", std::to_string(preference) + " " + mx + ".",
                         "a mail host of the domain; every MX must match an mx line of the policy"});
    preference += 10;
  }
  return d;
}

std::vector<std::string> certificate_warnings(const StsPolicy& policy, const tls::CertificateInfo& cert) {
  std::vector<std::string> out;
  if (policy.mode == "none") return out;
  if (cert.self_signed)
    out.push_back("the certificate is self-signed: senders that apply the policy refuse it (enforce) or "
                  "report failures (testing); install one from a public certificate authority");
  for (const auto& mx : policy.mx) {
    if (mx.compare(0, 2, "*.") == 0) continue;
    bool covered = false;
    for (const auto& name : cert.names) covered |= name_covers(name, mx);
    if (!covered) out.push_back("the certificate does not name the MX host " + mx);
  }
  return out;
}

// --- the facade's side: settings + hosted domains -> publication ---------------------

namespace {
// No MX list: the policy names this server, as smtp.hostname (or the system) calls it.
StsPolicy policy_from(const std::map<std::string, std::string>& values, const std::string& host) {
  StsPolicy policy;
  policy.mode = values.at("mta_sts_publish.mode");
  policy.mx = util::split_list(values.at("mta_sts_publish.mx"));
  if (policy.mx.empty()) policy.mx.push_back(host);
  policy.max_age = config::parse_duration(values.at("mta_sts_publish.max_age")).value_or(604800);
  return policy;
}
}  // namespace

StsPublication Admin::mta_sts() {
  auto values = settings();
  StsPublication pub;
  pub.host = hostname();
  pub.policy = policy_from(values, pub.host);
  pub.text = policy_text(pub.policy);
  pub.id = policy_id(pub.text);
  for (const auto& domain : directory_.domains())
    pub.domains.push_back(domain_records(domain, pub, values.at("mta_sts_publish.report_to")));
  try {
    pub.warnings = certificate_warnings(pub.policy, certificate());
  } catch (const std::exception&) {
    pub.warnings.push_back("no certificate is in use");
  }
  return pub;
}

std::optional<std::string> Admin::mta_sts_policy_for(const std::string& host_header) {
  std::string host = util::to_lower(host_header);
  if (auto colon = host.rfind(':'); colon != std::string::npos && host.find(']') == std::string::npos)
    host.erase(colon);
  if (!host.empty() && host.back() == '.') host.pop_back();
  if (host.compare(0, 8, "mta-sts.") == 0) {
    auto domains = directory_.domains();
    bool hosted = false;
    for (const auto& d : domains) hosted |= d == host.substr(8);
    if (!hosted) return std::nullopt;
  }
  return policy_text(policy_from(settings(), hostname()));
}

}  // namespace postern::admin

// Publishing an MTA-STS policy (RFC 8461) for the hosted domains: the policy file served at
// https://mta-sts.DOMAIN/.well-known/mta-sts.txt, its id, and the DNS records the admin must
// add (_mta-sts TXT, _smtp._tls TXT for TLS reports (RFC 8460), the mta-sts host, MX).
// Built from the mta_sts_publish.* settings: one policy for every hosted domain, since they
// all reach this one server. Delivery-side MTA-STS (checking other domains' policies) is not here.
// Errors: none (inputs are validated settings). Threading: pure functions.
#pragma once
#include <string>
#include <vector>

#include "tls/certificate_info.h"

namespace postern::admin {

struct StsPolicy {
  std::string mode;             // "none", "testing" or "enforce"
  std::vector<std::string> mx;  // host names, "*.example.com" allowed
  long long max_age = 0;        // seconds
};

// The policy file, RFC 8461 §3.2: "version: STSv1", mode, mx lines, max_age; CRLF lines.
std::string policy_text(const StsPolicy& policy);
// 20 hex digits of the SHA-256 of the text: changes whenever the policy does.
std::string policy_id(const std::string& text);

struct DnsRecord {
  std::string name, type, value, purpose;
};

struct StsDomain {
  std::string domain;
  std::string policy_url;  // https://mta-sts.DOMAIN/.well-known/mta-sts.txt
  std::vector<DnsRecord> records;
};

struct StsPublication {
  StsPolicy policy;
  std::string text, id;
  std::string host;  // where mta-sts.DOMAIN should point (smtp.hostname)
  std::vector<StsDomain> domains;
  std::vector<std::string> warnings;  // certificate names and MX hosts that do not agree
};

// `report_to`: comma list of addresses for TLS reports; "postmaster@" DOMAIN when empty.
StsDomain domain_records(const std::string& domain, const StsPublication& pub, const std::string& report_to);
// What the certificate must cover for senders that validate: every MX host (MTA-STS checks
// the MX certificate against the policy's names) and a trusted issuer.
std::vector<std::string> certificate_warnings(const StsPolicy& policy, const tls::CertificateInfo& cert);
// A certificate name (possibly "*.example.com") covers `host`.
bool name_covers(const std::string& name, const std::string& host);

}  // namespace postern::admin

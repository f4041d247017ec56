#include "delivery/tls_outcome.h"

#include <openssl/x509_vfy.h>

namespace postern::delivery {

std::optional<tlsrpt::Outcome> tls_outcome(const std::string& domain, const smtp::Hop& hop, const smtp::Transfer& t,
                                           const TlsPolicy& policy, const std::string& sending_ip) {
  tlsrpt::Outcome o;
  o.domain = domain;
  o.policy_type = policy.type;
  o.policy_strings = policy.strings;
  o.mx_host = hop.name.empty() ? hop.ip : hop.name;
  o.receiving_ip = hop.ip;
  o.sending_ip = sending_ip;
  const auto& reply = t.session;
  if (!t.tls.empty()) {
    o.result_type = "success";
  } else if (reply.enhanced == "4.7.5") {
    // The client's TLS handshake or certificate check failed; only the latter has a
    // verification result that says why.
    o.result_type = t.tls_verify_error != X509_V_OK ? certificate_result_type(t.tls_verify_error) : "validation-failure";
    o.failure_reason = reply.text;
  } else if (t.reached) {
    // Greeted, but the session went on (or was refused) without TLS: STARTTLS was not offered.
    o.result_type = "starttls-not-supported";
  } else {
    return std::nullopt;  // never reached: no TLS negotiation took place
  }
  return o;
}

std::string certificate_result_type(long e) {
  switch (e) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "certificate-host-mismatch";
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "certificate-expired";
    // The chain does not lead to a CA we trust (§4.3.1: "the certificate ... is not
    // trusted"), whatever the step that showed it.
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
    case X509_V_ERR_INVALID_CA:
    case X509_V_ERR_CERT_CHAIN_TOO_LONG:
    case X509_V_ERR_PATH_LENGTH_EXCEEDED:
      return "certificate-not-trusted";
    default:
      return "validation-failure";
  }
}

std::optional<tlsrpt::Outcome> sts_failure_outcome(const std::string& domain, const StsAnswer& sts) {
  using F = mtasts::FetchFailure;
  if (sts.failure == F::None) return std::nullopt;
  tlsrpt::Outcome o;
  o.domain = domain;
  o.policy_type = "sts";  // no policy strings, MX or addresses: the policy host failed, not an MX
  o.result_type = sts.failure == F::Certificate ? "sts-webpki-invalid"
                  : sts.failure == F::Invalid   ? "sts-policy-invalid"
                                                : "sts-policy-fetch-error";
  o.failure_reason = sts.note;
  return o;
}

}  // namespace postern::delivery

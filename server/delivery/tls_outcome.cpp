#include "delivery/tls_outcome.h"

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
    // The client's TLS handshake or certificate check failed (it says which in the text).
    // XXX: the precise certificate-* result types need the client to say why a
    // certificate failed; until then every such failure is a validation-failure.
    o.result_type = "validation-failure";
    o.failure_reason = reply.text;
  } else if (t.reached) {
    // Greeted, but the session went on (or was refused) without TLS: STARTTLS was not offered.
    o.result_type = "starttls-not-supported";
  } else {
    return std::nullopt;  // never reached: no TLS negotiation took place
  }
  return o;
}

}  // namespace postern::delivery

// Remote delivery agent: sends queued mail over SMTP, either straight to each recipient
// domain's MX hosts (DLV-1: preference order, implicit MX, next host on connection failure
// or 4xx, opportunistic STARTTLS), through the configured smart host (DLV-2: required or
// implicit TLS, certificate check, AUTH), through the smart host of a named rule (DLV-3),
// or to a relay domain's next hop (RLY-2). Per-host credentials fill in where a route has
// none (DLV-4). The route kind was decided at RCPT time and is read from the envelope's
// transport; where it points is read from the current settings and tables. MTA-STS and
// RequireTLS restrict and harden the hops (transport_security.h).
// Threading: deliver() is called from several runner workers at once.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "config/snapshot.h"
#include "delivery/next_hop.h"
#include "delivery/tls_outcome.h"
#include "delivery/sts_policies.h"
#include "delivery/transport_security.h"
#include "queue/runner.h"
#include "smtp/client/client_session.h"
#include "store/relay_tables.h"

namespace postern::delivery {

class RemoteAgent {
 public:
  using ConfigSource = std::function<config::SnapshotPtr()>;
  using TlsSource = std::function<tls::ClientContextPtr()>;

  // `sts` answers MTA-STS policy questions; null disables MTA-STS.
  RemoteAgent(NextHopResolver& resolver, store::RelayTables& tables, ConfigSource config, TlsSource tls,
              StsPolicies* sts = nullptr)
      : resolver_(resolver), tables_(tables), config_(std::move(config)), tls_(std::move(tls)), sts_(sts) {}

  // Connections stay open between messages, and between the tasks of one runner worker
  // (reuse); close_idle() closes this worker's, and the runner calls it when the worker
  // has had nothing to do for a moment.
  std::vector<queue::Outcome> deliver(const std::vector<queue::Envelope>& envs, const std::string& body);
  void close_idle();

  // TLS reporting (RFC 8460): told the TLS outcome of every session with a recipient
  // domain's MX. Set once before delivery starts.
  using TlsReport = std::function<void(const tlsrpt::Outcome&)>;
  void set_tls_report(TlsReport report) { tls_report_ = std::move(report); }

 private:
  struct Target {
    std::vector<smtp::Hop> hops;  // in the order to try
    queue::Outcome failure;       // when hops is empty: why
    bool direct = false;          // the recipient domain's own MX hosts
    bool mx_secure = false;       // ... named by a DNSSEC-validated MX answer
    TlsPolicy tls_policy;         // reported with each session's TLS outcome
  };
  Target smarthost_target(const config::Snapshot& cfg);
  Target host_target(smtp::Hop base, const std::string& host);
  Target target_for(const std::string& transport, const std::string& sender, const std::string& recipient,
                    const std::string& domain, const config::Snapshot& cfg);
  void apply_credentials(Target& t);
  Target direct_target(const std::string& domain, const config::Snapshot& cfg);
  std::vector<queue::Outcome> send_group(const std::vector<const queue::Envelope*>& envs, const Target& target,
                                         const std::string& body, const smtp::ClientOptions& options,
                                         const SecurityPlan& security);
  SecurityInput security_input(const Target& target, const std::string& domain, const std::string& require_tls,
                               bool tls_required_no, const config::Snapshot& cfg, StsAnswer& sts);

  NextHopResolver& resolver_;
  store::RelayTables& tables_;
  ConfigSource config_;
  TlsSource tls_;
  TlsReport tls_report_;
  StsPolicies* sts_;
};

}  // namespace postern::delivery

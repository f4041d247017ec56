// Sends the day's TLS reports (RFC 8460 §5): for each policy domain with recorded
// outcomes, look up _smtp._tls.DOMAIN, build the JSON report, gzip and attach it, sign the
// message with the reporting domain's DKIM key, and queue it for each mailto: rua address
// through the normal queue. https: rua URIs are not POSTed: they are listed as skipped.
// Collaborators: tlsrpt::Recorder, dns::Resolver (TXT), dkim::KeyStore + Signer, and two
// callbacks from the daemon or the CLI: route (mail::RoutedRecipient for an address, as
// bounces are routed) and enqueue (queue::QueueStore).
// Error contract: send() reports each domain's outcome in its result (no record, no
// mailto:, no DKIM key, DNS failure: retried at the next run since nothing is marked
// sent); infrastructure failures (database, queue) throw.
// Threading: one send() at a time (the daemon's daily run and on-demand calls are
// serialised by the caller's mutex).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "config/snapshot.h"
#include "dkim/key_store.h"
#include "dkim/signer.h"
#include "dns/resolver.h"
#include "queue/message.h"
#include "tlsrpt/recorder.h"

namespace postern::tlsrpt {

struct DomainResult {
  std::string domain;
  // "sent", "already-sent", "no-record" (no valid TLSRPT record), "no-mailto" (only https:
  // rua), "dns-error", "no-dkim-key", "no-route"
  std::string status;
  std::string report_id;
  std::vector<std::string> recipients;  // mailto: addresses queued
  std::vector<std::string> skipped;     // https: URIs (not supported)
  std::string queue_id;
};

struct ReporterDeps {
  Recorder& recorder;
  dns::Resolver& dns;
  dkim::KeyStore& keys;
  const dkim::Signer& signer;
  std::function<std::vector<mail::RoutedRecipient>(const std::string& address)> route;
  std::function<void(queue::Message)> enqueue;  // blocks until committed
  std::function<std::vector<std::string>()> hosted_domains;
};

class Reporter {
 public:
  explicit Reporter(ReporterDeps deps) : d_(std::move(deps)) {}

  // Reports about `day` ("YYYY-MM-DD", UTC). `again`: send even where a report about that
  // day already went (on-demand runs).
  std::vector<DomainResult> send(const std::string& day, const config::Snapshot& cfg, bool again = false);

  // The address reports come from: tlsrpt.from, else postmaster@ the first hosted domain
  // with a DKIM key, else postmaster@ the host name.
  std::string from_address(const config::Snapshot& cfg) const;

 private:
  ReporterDeps d_;
};

}  // namespace postern::tlsrpt

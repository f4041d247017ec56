#include "daemon/tls_reports.h"

#include "log/log.h"
#include "mail/address.h"

namespace postern::daemon {

TlsReports::TlsReports(const DataDir& dir, dns::Resolver& dns, policy::Engine& policy, store::Directory& directory,
                       queue::QueueStore& queue, const dkim::Signer& signer, std::function<config::SnapshotPtr()> config,
                       std::function<void()> queued)
    : config_(std::move(config)),
      queued_(std::move(queued)),
      recorder_(dir.tlsrpt_db()),
      keys_(dir.dkim()),
      reporter_({recorder_, dns, keys_, signer,
                 [this, &policy](const std::string& address) {
                   auto a = mail::Address::parse(address, true);
                   if (!a) return std::vector<mail::RoutedRecipient>{};
                   return policy.route_system_mail(*a, *config_());
                 },
                 [&queue](queue::Message m) { queue.enqueue(std::move(m)).get(); },
                 [&directory] { return directory.domains(); }}) {}

std::vector<tlsrpt::DomainResult> TlsReports::send(const std::string& day, bool again) {
  std::lock_guard<std::mutex> lock(mu_);
  auto results = reporter_.send(day, *config_(), again);
  bool any = false;
  for (const auto& r : results) {
    std::string line = "TLS report for " + r.domain + " (" + day + "): " + r.status;
    if (r.status == "sent") {
      any = true;
      line += " id=" + r.queue_id + " report-id=" + r.report_id + " to=";
      for (size_t i = 0; i < r.recipients.size(); ++i) line += (i ? "," : "") + r.recipients[i];
    }
    for (const auto& u : r.skipped) line += " skipped=" + u + " (https: reports are not supported)";
    log::write(log::Service::Delivery, "-", line);
  }
  if (any && queued_) queued_();
  return results;
}

}  // namespace postern::daemon

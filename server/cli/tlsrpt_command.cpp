// `postern tlsrpt send [--date D]`: queue the TLS reports (TLS-4) about a day now, with the
// data folder's settings, DNS and routing; a running daemon delivers them from the queue.
#include <iostream>

#include "cli/admin_access.h"
#include "cli/cli.h"
#include "daemon/dns_service.h"
#include "daemon/tls_reports.h"
#include "dkim/signer.h"
#include "policy/engine.h"

namespace postern::cli {

int tlsrpt_command(const Args& args) {
  const char* usage = "tlsrpt send [--date YYYY-MM-DD]";
  if (args.words.size() != 1 || args.words[0] != "send") return usage_error(usage);
  AdminAccess access(args.data_dir);
  auto cfg = std::make_shared<const config::Snapshot>(access.settings.load());
  daemon::DnsService dns;
  dns.configure(*cfg);
  policy::Engine engine(access.directory, access.relay, access.access, dns);
  dkim::Signer signer;
  daemon::TlsReports reports(access.dir, dns, engine, access.directory, access.queue, signer, [cfg] { return cfg; }, {});
  access.admin.set_tls_report_sender([&reports](const std::string& day) { return reports.send(day, true); });
  auto it = args.options.find("date");
  auto results = access.admin.send_tls_reports(it == args.options.end() ? "" : it->second);
  for (const auto& r : results) {
    std::cout << r.domain << " " << r.status;
    if (!r.report_id.empty()) std::cout << " report-id=" << r.report_id;
    if (!r.queue_id.empty()) std::cout << " queued-as=" << r.queue_id;
    for (const auto& to : r.recipients) std::cout << " to=" << to;
    for (const auto& u : r.skipped) std::cout << " skipped=" << u << " (https: not supported)";
    std::cout << "\n";
  }
  std::cerr << results.size() << " domain(s) with TLS outcomes on that day\n";
  return 0;
}

}  // namespace postern::cli

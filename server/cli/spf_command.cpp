// `postern spf check`: one SPF verdict through the same Checker, options and DnsService the
// SMTP server uses (the data folder's dns.* and spf.* settings).
#include <iostream>

#include "cli/cli.h"
#include "config/snapshot.h"
#include "daemon/data_dir.h"
#include "daemon/dns_service.h"
#include "daemon/spf_service.h"
#include "store/settings_store.h"

namespace postern::cli {

int spf_command(const Args& args) {
  const char* usage = "spf check --ip IP --helo NAME --sender ADDRESS";
  if (args.words.empty()) return usage_error(usage);
  const auto& sub = args.words[0];
  daemon::DataDir dir{args.data_dir};
  dir.create();
  store::SettingsStore settings(dir.main_db());
  config::Snapshot cfg(settings.load());
  if (sub == "check" && args.words.size() == 1) {
    auto ip_text = args.options.count("ip") ? args.options.at("ip") : "";
    auto ip = util::IpAddress::parse(ip_text);
    if (!ip) return usage_error("--ip needs an IPv4 or IPv6 address");
    std::string helo = args.options.count("helo") ? args.options.at("helo") : "";
    std::string sender = args.options.count("sender") ? args.options.at("sender") : "";
    daemon::DnsService dns;
    dns.configure(cfg);
    auto checker = daemon::make_spf_checker(cfg, dns);
    auto verdict = sender.empty() && !args.options.count("sender") ? checker.check_helo(*ip, helo)
                                                                    : checker.check_mail_from(*ip, helo, sender);
    std::cout << "result: " << spf::result_name(verdict.result) << "\n";
    if (!verdict.explanation.empty()) std::cout << "explanation: " << verdict.explanation << "\n";
    if (!verdict.problem.empty()) std::cout << "problem: " << verdict.problem << "\n";
    std::cout << checker.received_spf_header(verdict, *ip, helo) << "\n";
    return 0;
  }
  return usage_error(usage);
}

}  // namespace postern::cli

// `postern spf check` (one SPF verdict through the same Checker, options and DNS stack the
// SMTP server uses: the data folder's dns.* and spf.* settings) and `postern spf cache
// list|clear` (SPF-4, the cache the daemon fills).
#include <ctime>
#include <iostream>

#include "cli/admin_access.h"
#include "cli/cli.h"
#include "config/snapshot.h"
#include "daemon/data_dir.h"
#include "daemon/dns_service.h"
#include "spf/gate.h"
#include "store/settings_store.h"

namespace postern::cli {

int spf_command(const Args& args) {
  const char* usage = "spf check --ip IP --helo NAME [--sender ADDRESS] | cache list | cache clear";
  if (args.words.empty()) return usage_error(usage);
  const auto& sub = args.words[0];
  daemon::DataDir dir{args.data_dir};
  dir.create();
  if (sub == "check" && args.words.size() == 1) {
    auto opt = [&](const char* k) { return args.options.count(k) ? args.options.at(k) : std::string(); };
    auto ip = util::IpAddress::parse(opt("ip"));
    if (!ip) return usage_error("--ip needs an IPv4 or IPv6 address");
    store::SettingsStore settings(dir.main_db());
    config::Snapshot cfg(settings.load());
    daemon::DnsService dns;
    dns.configure(cfg);
    auto checker = spf::make_checker(cfg, dns);
    // Without --sender the HELO identity is checked (RFC 7208 §2.3); --sender "" is the
    // null sender, whose MAIL FROM identity is postmaster@HELO.
    auto verdict = args.options.count("sender") ? checker.check_mail_from(*ip, opt("helo"), opt("sender"))
                                                 : checker.check_helo(*ip, opt("helo"));
    std::cout << "result: " << spf::result_name(verdict.result) << "\n";
    if (!verdict.explanation.empty()) std::cout << "explanation: " << verdict.explanation << "\n";
    if (!verdict.problem.empty()) std::cout << "problem: " << verdict.problem << "\n";
    std::cout << checker.received_spf_header(verdict, *ip, opt("helo")) << "\n";
    return 0;
  }
  if (sub == "cache" && args.words.size() == 2) {
    AdminAccess access(args.data_dir);
    auto now = int64_t(std::time(nullptr));
    if (args.words[1] == "list") {
      auto entries = access.admin.spf_cache();
      for (const auto& e : entries)
        std::cout << e.ip << " " << e.domain << " " << spf::result_name(e.result) << " ttl=" << (e.expires - now) << "\n";
      std::cerr << entries.size() << " cached SPF result(s)\n";
      return 0;
    }
    if (args.words[1] == "clear") {
      std::cout << "cleared " << access.admin.clear_spf_cache() << " cached SPF result(s)\n";
      return 0;
    }
  }
  return usage_error(usage);
}

}  // namespace postern::cli

// `postern dkim generate|show|list|delete`: DKIM keys of the hosted domains and the TXT
// record to publish for each (never the private key).
#include <iostream>

#include "cli/admin_access.h"
#include "cli/cli.h"

namespace postern::cli {

namespace {
void print_key(const dkim::Key& k) {
  std::cout << "domain: " << k.domain << "\nselector: " << k.selector << "\nalgorithm: " << k.algorithm << " "
            << k.bits << " bits\nrecord: " << k.dns_name() << " TXT\nvalue: " << k.dns_value()
            << "\nzone file: " << k.dns_name() << ". IN TXT ( " << k.dns_zone_value() << " )\n";
}
}  // namespace

int dkim_command(const Args& args) {
  const char* usage = "dkim generate DOMAIN [--selector S] | show DOMAIN | list | delete DOMAIN";
  if (args.words.empty()) return usage_error(usage);
  const auto& sub = args.words[0];
  AdminAccess access(args.data_dir);
  if (sub == "generate" && args.words.size() == 2) {
    auto it = args.options.find("selector");
    print_key(access.admin.generate_dkim_key(args.words[1], it == args.options.end() ? "" : it->second));
    return 0;
  }
  if (sub == "show" && args.words.size() == 2) {
    print_key(access.admin.dkim_key(args.words[1]));
    return 0;
  }
  if (sub == "list" && args.words.size() == 1) {
    for (const auto& k : access.admin.dkim_keys())
      std::cout << k.domain << " " << k.selector << " " << k.algorithm << " " << k.bits << " " << k.dns_name() << "\n";
    return 0;
  }
  if (sub == "delete" && args.words.size() == 2) {
    access.admin.delete_dkim_key(args.words[1]);
    std::cout << "deleted the DKIM key of " << args.words[1] << "\n";
    return 0;
  }
  return usage_error(usage);
}

}  // namespace postern::cli

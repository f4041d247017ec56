#include "cli/cli.h"

#include <sys/stat.h>

#include <iostream>

#include "admin/admin.h"
#include "daemon/daemon.h"
#include "store/sqlite.h"
#include "store/directory.h"

namespace postern::cli {

namespace {
const char* kUsage =
    "usage: postern VERB --data-dir DIR [...]\n"
    "  serve                                   run the mail server in the foreground\n"
    "  config list | get KEY | set KEY VALUE [KEY VALUE ...] | schema\n"
    "  domain add NAME | remove NAME | list\n"
    "  user add ADDRESS --password-stdin | passwd ADDRESS --password-stdin | remove ADDRESS | list\n"
    "  alias add ALIAS TARGET[,TARGET...] | remove ALIAS | list\n"
    "  admin passwd --password-stdin           set the control panel password\n"
    "  queue list | show ID | retry ID | hold ID | release ID | delete ID\n"
    "  trusted add NAME CIDR[,CIDR...] | remove NAME | list        networks allowed to relay (RLY-1)\n"
    "  relay-domain add DOMAIN [HOST[:PORT]] | remove DOMAIN | list  domains accepted and passed on (RLY-2)\n"
    "  rule add NAME recipient|sender PATTERN[,PATTERN...] HOST[:PORT] [--tls starttls|implicit|opportunistic]\n"
    "       [--no-verify] [--username NAME --password-stdin] | remove NAME | list   smart-host rules (DLV-3)\n"
    "  credentials add HOST USERNAME --password-stdin | remove HOST | list      per-host logins (DLV-4)\n"
    "  spf check --ip IP --helo NAME [--sender ADDRESS] | cache list | cache clear   SPF verdicts (SPF, issue 10)\n"
    "  access list | add --list black|white --type ip|cidr|sender|recipient|domain VALUE [--action reject|discard]\n"
    "       | remove ID                                          black and white lists (SEC-1)\n"
    "  block list | add IP [--reason TEXT] [--until never|DURATION|DATE] | lift IP   blocked clients\n"
    "  authlog [--limit N] | block IP          authentication failures (ACC-2); block blacklists the IP\n"
    "  dkim generate DOMAIN [--selector S] | show DOMAIN | list | delete DOMAIN   DKIM keys and their DNS records\n"
    "  tlsrpt send [--date YYYY-MM-DD]         queue the TLS reports about a day (default yesterday, UTC)\n"
    "  migrate                                 create or upgrade the data folder's schema\n"
    "DIR may also come from the POSTERN_DATA_DIR environment variable.\n";
}  // namespace

int usage_error(const std::string& message) {
  std::cerr << "postern: " << message << "\n" << kUsage;
  return 2;
}

int refused(const std::string& message) {
  std::cerr << "postern: " << message << "\n";
  return 1;
}

bool read_password(std::string& out, std::string& error) {
  if (!std::getline(std::cin, out)) out.clear();
  if (!out.empty() && out.back() == '\r') out.pop_back();
  if (auto problem = admin::password_problem(out)) {
    error = *problem;
    return false;
  }
  return true;
}

std::string read_secret() {
  std::string out;
  if (!std::getline(std::cin, out)) out.clear();
  if (!out.empty() && out.back() == '\r') out.pop_back();
  return out;
}

int run(int argc, char** argv) {
  // Everything Postern writes (databases, mail, keys, logs) is for its own user only.
  ::umask(077);
  if (argc < 2) return usage_error("missing verb");
  std::string verb = argv[1];
  if (verb == "--help" || verb == "-h" || verb == "help") {
    std::cout << kUsage;
    return 0;
  }
  Args args;
  if (const char* env = std::getenv("POSTERN_DATA_DIR")) args.data_dir = env;
  for (int i = 2; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--data-dir") {
      if (i + 1 >= argc) return usage_error("--data-dir needs a folder");
      args.data_dir = argv[++i];
    } else if (a.rfind("--data-dir=", 0) == 0) {
      args.data_dir = a.substr(11);
    } else if (a == "--password-stdin") {
      args.password_stdin = true;
    } else if (a == "--no-verify") {
      args.no_verify = true;
    } else if (a == "--tls" || a == "--username" || a == "--ip" || a == "--helo" || a == "--sender" ||
               a == "--list" || a == "--type" || a == "--action" || a == "--reason" || a == "--until" ||
               a == "--limit" || a == "--selector" || a == "--date") {
      if (i + 1 >= argc) return usage_error(a + " needs a value");
      args.options[a.substr(2)] = argv[++i];
    } else if (a.size() > 1 && a[0] == '-' && a[1] == '-') {
      return usage_error("unknown option " + a);
    } else {
      args.words.push_back(a);
    }
  }
  if (args.data_dir.empty()) return usage_error("missing --data-dir");
  while (args.data_dir.size() > 1 && args.data_dir.back() == '/') args.data_dir.pop_back();

  try {
    if (verb == "serve") return args.words.empty() ? daemon::serve(args.data_dir) : usage_error("serve takes no arguments");
    if (verb == "config") return config_command(args);
    if (verb == "domain") return domain_command(args);
    if (verb == "user") return user_command(args);
    if (verb == "alias") return alias_command(args);
    if (verb == "admin") return admin_command(args);
    if (verb == "queue") return queue_command(args);
    if (verb == "migrate") return migrate_command(args);
    if (verb == "trusted") return trusted_command(args);
    if (verb == "relay-domain") return relay_domain_command(args);
    if (verb == "rule") return rule_command(args);
    if (verb == "credentials") return credentials_command(args);
    if (verb == "spf") return spf_command(args);
    if (verb == "access") return access_command(args);
    if (verb == "block") return block_command(args);
    if (verb == "authlog") return authlog_command(args);
    if (verb == "dkim") return dkim_command(args);
    if (verb == "tlsrpt") return tlsrpt_command(args);
  } catch (const store::Refused& e) {
    return refused(e.what());
  } catch (const admin::Invalid& e) {
    return refused(e.what());
  } catch (const admin::NotFound& e) {
    return refused(e.what());
  } catch (const std::exception& e) {
    std::cerr << "postern: " << e.what() << "\n";
    return 1;
  }
  return usage_error("unknown verb '" + verb + "'");
}

}  // namespace postern::cli

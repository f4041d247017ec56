// `postern queue list` and `postern migrate`.
#include <ctime>
#include <iostream>
#include <map>

#include "cli/admin_access.h"
#include "cli/cli.h"
#include "daemon/data_dir.h"
#include "queue/queue_store.h"
#include "store/schema.h"

namespace postern::cli {

namespace {
void print_envelope(const queue::Envelope& e) {
  std::time_t t = std::time_t(e.next_try);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", std::localtime(&t));
  std::cout << e.message_id << " " << e.size << " <" << e.sender << "> -> <" << e.recipient << "> route="
            << queue::route_name(e.route) << (e.transport.empty() ? "" : "/" + e.transport)
            << " attempts=" << e.attempts << (e.held ? " held" : " next=" + std::string(when));
  if (!e.require_tls.empty()) std::cout << " requiretls=" << e.require_tls;
  if (!e.last_error.empty()) std::cout << " error=\"" << e.last_error << "\"";
  std::cout << "\n";
}
}  // namespace

int queue_command(const Args& args) {
  const char* usage = "queue list | show ID | retry ID | hold ID | release ID | delete ID";
  if (args.words.empty()) return usage_error(usage);
  const auto& sub = args.words[0];
  AdminAccess access(args.data_dir);
  if (sub == "list" && args.words.size() == 1) {
    auto envelopes = access.admin.queue_list({});
    for (const auto& e : envelopes) print_envelope(e);
    std::cerr << envelopes.size() << " recipient(s) queued\n";
    return 0;
  }
  if (args.words.size() != 2) return usage_error(usage);
  const auto& id = args.words[1];
  if (sub == "show") {
    auto [envelopes, headers] = access.admin.queue_show(id);
    for (const auto& e : envelopes) print_envelope(e);
    std::cout << "\n" << headers;
    return 0;
  }
  static const std::map<std::string, queue::QueueStore::Change> actions = {
      {"retry", queue::QueueStore::Change::Retry},
      {"hold", queue::QueueStore::Change::Hold},
      {"release", queue::QueueStore::Change::Release},
      {"delete", queue::QueueStore::Change::Delete}};
  auto it = actions.find(sub);
  if (it == actions.end()) return usage_error(usage);
  access.admin.queue_change(id, it->second);
  std::cout << sub << ": " << id << "\n";
  return 0;
}

int migrate_command(const Args& args) {
  if (!args.words.empty()) return usage_error("migrate takes no arguments");
  daemon::DataDir dir{args.data_dir};
  dir.create();
  store::Db db(dir.main_db());
  int version = store::migrate_main_db(db);
  queue::QueueStore queue(dir.queue());
  std::cout << "schema version " << version << "\n";
  return 0;
}

}  // namespace postern::cli

// `postern queue list` and `postern migrate`.
#include <ctime>
#include <iostream>

#include "cli/cli.h"
#include "daemon/data_dir.h"
#include "queue/queue_store.h"
#include "store/schema.h"

namespace postern::cli {

int queue_command(const Args& args) {
  if (args.words.size() != 1 || args.words[0] != "list") return usage_error("queue list");
  daemon::DataDir dir{args.data_dir};
  dir.create();
  queue::QueueStore store(dir.queue());
  auto envelopes = store.list();
  for (const auto& e : envelopes) {
    std::time_t t = std::time_t(e.next_try);
    char when[32];
    std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", std::localtime(&t));
    std::cout << e.message_id << " " << e.size << " <" << e.sender << "> -> <" << e.recipient << "> route="
              << queue::route_name(e.route) << " attempts=" << e.attempts << " next=" << when;
    if (!e.last_error.empty()) std::cout << " error=\"" << e.last_error << "\"";
    std::cout << "\n";
  }
  std::cerr << envelopes.size() << " recipient(s) queued\n";
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

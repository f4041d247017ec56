#include "cli/admin_access.h"

namespace postern::cli {

namespace {
std::string prepared(const std::string& data_dir) {
  daemon::DataDir{data_dir}.create();
  return data_dir;
}
}  // namespace

AdminAccess::AdminAccess(const std::string& data_dir)
    : dir{prepared(data_dir)},
      settings(dir.main_db()),
      directory(dir.main_db()),
      relay(dir.main_db()),
      queue(dir.queue()),
      admin(settings, directory, relay, queue, {dir.tls(), dir.logs()}) {}

}  // namespace postern::cli

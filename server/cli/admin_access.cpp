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
      access(dir.main_db()),
      spf_cache(dir.spf_cache()),
      admin(settings, directory, relay, queue, {dir.tls(), dir.logs(), dir.dkim()}, {}, {&access, &spf_cache}) {}

}  // namespace postern::cli

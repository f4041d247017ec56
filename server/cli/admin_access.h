// The admin facade over a data folder, for the verbs that change or show it: the stores
// are opened once per command and handed to admin::Admin, the same facade the API uses.
// Errors: admin::Invalid / NotFound / store::Refused propagate to cli::run (exit 1).
#pragma once
#include "admin/admin.h"
#include "daemon/data_dir.h"

namespace postern::cli {

struct AdminAccess {
  explicit AdminAccess(const std::string& data_dir);

  daemon::DataDir dir;
  store::SettingsStore settings;
  store::Directory directory;
  store::RelayTables relay;
  queue::QueueStore queue;
  store::AccessTables access;
  spf::Cache spf_cache;
  admin::Admin admin;
};

}  // namespace postern::cli

#include "daemon/data_dir.h"

#include "util/fs.h"

namespace postern::daemon {

void DataDir::create() const {
  util::make_dirs(root, 0750);
  util::make_dirs(queue(), 0700);
  util::make_dirs(mail(), 0750);
  util::make_dirs(tls(), 0700);
  util::make_dirs(logs(), 0750);
  util::make_dirs(dkim(), 0700);
}

}  // namespace postern::daemon

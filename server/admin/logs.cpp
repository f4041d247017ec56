// Admin facade: reading the log files, newest line first, filtered and paged.
#include <algorithm>
#include <fstream>

#include "admin/admin.h"

namespace postern::admin {

namespace {
const std::map<std::string, std::string>& files() {
  static const std::map<std::string, std::string> names = {
      {"smtp", "smtp.log"}, {"delivery", "delivery.log"}, {"auth", "auth.log"}, {"daemon", "postern.log"}};
  return names;
}

void read_lines(const std::string& path, std::vector<std::string>& out) {
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) out.push_back(line);
}
}  // namespace

const std::vector<std::string>& Admin::log_names() {
  static const std::vector<std::string> names = {"smtp", "delivery", "auth", "daemon"};
  return names;
}

LogPage Admin::read_log(const std::string& name, const std::string& filter, size_t offset, size_t limit) {
  auto it = files().find(name);
  if (it == files().end()) throw NotFound("no log named '" + name + "' (smtp, delivery, auth, daemon)");
  if (limit == 0 || limit > 1000) throw Invalid("limit", "limit must be between 1 and 1000");
  // XXX: reads both files whole (at most 2 × log.max_size_mb); fine for a NAS's log sizes.
  std::vector<std::string> all;
  read_lines(paths_.log_dir + "/" + it->second + ".1", all);
  read_lines(paths_.log_dir + "/" + it->second, all);
  LogPage page;
  for (auto line = all.rbegin(); line != all.rend(); ++line) {
    if (!filter.empty() && line->find(filter) == std::string::npos) continue;
    if (page.total >= offset && page.lines.size() < limit) page.lines.push_back(*line);
    ++page.total;
  }
  return page;
}

}  // namespace postern::admin

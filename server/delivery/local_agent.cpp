#include "delivery/local_agent.h"

#include <cerrno>
#include <ctime>
#include <set>
#include <vector>
#include <stdexcept>
#include <system_error>

#include "store/maildir.h"
#include "util/fs.h"

namespace postern::delivery {

namespace {
// Directories written by this worker thread since its last flush().
thread_local std::set<std::string> unsynced_dirs;
// Users who got mail since the last flush(), told to the notifier once it is durable.
thread_local std::set<std::string> unnotified_users;
}  // namespace

LocalAgent::LocalAgent(std::string mail_root, mailbox::Notifier* notifier)
    : mail_root_(std::move(mail_root)), started_at_(std::time(nullptr)), notifier_(notifier) {}

void LocalAgent::flush() const {
  std::vector<std::string> dirs(unsynced_dirs.begin(), unsynced_dirs.end());
  unsynced_dirs.clear();
  for (const auto& d : dirs) util::fsync_dir(d);
  std::set<std::string> users;
  users.swap(unnotified_users);
  if (notifier_)
    for (const auto& u : users) notifier_->notify(u, "INBOX");
}

queue::Outcome LocalAgent::deliver(const queue::Envelope& env, const std::string& body) const {
  std::string maildir;
  try {
    maildir = store::maildir_path(mail_root_, env.mailbox);
  } catch (const std::invalid_argument& e) {
    return {queue::Outcome::PermFail, e.what(), "5.1.1", ""};
  }
  std::string prefix = "Return-Path: <" + env.sender + ">\r\nDelivered-To: " + env.recipient + "\r\n";
  std::string copy = store::copy_name(env.received_at, env.message_id, env.id);
  try {
    // received_at has one-second resolution: "<=" also covers the second of the start.
    if (env.received_at <= started_at_ && store::has_copy(maildir, copy)) {
      unsynced_dirs.insert(maildir + "/new");  // the dead run may not have synced it
      return {queue::Outcome::Delivered, "maildir=" + env.mailbox + " (already delivered before a restart)", "2.0.0", ""};
    }
    store::deliver_to_maildir(maildir, prefix, body, false, copy);
    unsynced_dirs.insert(maildir + "/new");
    unnotified_users.insert(env.mailbox);
    return {queue::Outcome::Delivered, "maildir=" + env.mailbox, "2.0.0", ""};
  } catch (const std::system_error& e) {
    // Disk full, permissions, I/O: all worth a retry once the admin has fixed it.
    return {queue::Outcome::TempFail, e.what(), "4.3.0", ""};
  }
}

}  // namespace postern::delivery

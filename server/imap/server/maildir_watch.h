// Watches the new/ and cur/ directories of the mailboxes IMAP sessions have selected, with
// Linux inotify on the server's event loop, so that files another program drops into new/,
// renames (flag changes) or removes in cur/ reach the sessions, IDLE ones included, at once
// instead of at the next poll. What happened in the directories is handed on as
// (user, folder, sub-directory, file name, created?) events; deciding whether the index
// already knows about it (Postern's own renames also show up here) is the listener's job.
// Each (user, folder) is watched once however many sessions select it (reference counted).
// Errors: when inotify is unavailable (or out of watches) watching quietly does nothing and
// the sessions' periodic rescans remain the only way to notice other programs' changes; an
// event queue overflow is reported as a change of every watched folder.
// Threading: event-loop thread only (construct it before the loop runs).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <vector>
#include <string>
#include <utility>

#include "imap/server/event_loop.h"

namespace postern::imap {

class MaildirWatch : public EventLoop::Handler {
 public:
  struct Event {
    std::string user, folder;
    bool in_new;      // new/ (else cur/)
    std::string name; // file name; empty when everything must be rescanned (overflow, or
                      // the folder's dovecot-keywords file changed)
    bool created;     // created or moved in (else removed or moved away)
  };
  // Called once per read batch with every event of the batch, in order.
  using Listener = std::function<void(const std::vector<Event>&)>;

  MaildirWatch(EventLoop& loop, Listener listener);
  ~MaildirWatch() override;
  MaildirWatch(const MaildirWatch&) = delete;
  MaildirWatch& operator=(const MaildirWatch&) = delete;

  // `dir` is the folder's directory (the one holding new/ and cur/). False when the folder
  // could not be watched (no inotify, no watches left): the caller must poll it.
  bool watch(const std::string& user, const std::string& folder, const std::string& dir);
  void unwatch(const std::string& user, const std::string& folder);
  bool active() const { return fd_ >= 0; }

  void on_io(uint32_t events) override;

 private:
  using Key = std::pair<std::string, std::string>;  // (user, folder)
  struct Watched {
    int count = 0;
    int wd_new = -1, wd_cur = -1, wd_dir = -1;  // wd_dir: the folder itself, for dovecot-keywords
  };
  EventLoop& loop_;
  Listener listener_;
  int fd_ = -1;
  std::map<Key, Watched> watched_;
  enum class Where { New, Cur, Dir };
  std::map<int, std::pair<Key, Where>> by_wd_;
};

}  // namespace postern::imap

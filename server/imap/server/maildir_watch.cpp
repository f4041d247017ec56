#include "imap/server/maildir_watch.h"

#include <sys/epoll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace postern::imap {

namespace {
constexpr uint32_t kMask = IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_ONLYDIR;
}

MaildirWatch::MaildirWatch(EventLoop& loop, Listener listener) : loop_(loop), listener_(std::move(listener)) {
  fd_ = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd_ >= 0) loop_.add(fd_, EPOLLIN, this);
}

MaildirWatch::~MaildirWatch() {
  if (fd_ < 0) return;
  loop_.remove(fd_);
  ::close(fd_);
}

bool MaildirWatch::watch(const std::string& user, const std::string& folder, const std::string& dir) {
  if (fd_ < 0) return false;
  Watched& w = watched_[{user, folder}];
  if (w.count++ == 0) {
    w.wd_new = ::inotify_add_watch(fd_, (dir + "/new").c_str(), kMask);
    w.wd_cur = ::inotify_add_watch(fd_, (dir + "/cur").c_str(), kMask);
    w.wd_dir = ::inotify_add_watch(fd_, dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
    if (w.wd_new >= 0) by_wd_[w.wd_new] = {{user, folder}, Where::New};
    if (w.wd_cur >= 0) by_wd_[w.wd_cur] = {{user, folder}, Where::Cur};
    if (w.wd_dir >= 0) by_wd_[w.wd_dir] = {{user, folder}, Where::Dir};
  }
  return w.wd_new >= 0 && w.wd_cur >= 0;
}

void MaildirWatch::unwatch(const std::string& user, const std::string& folder) {
  auto it = watched_.find({user, folder});
  if (it == watched_.end() || --it->second.count > 0) return;
  for (int wd : {it->second.wd_new, it->second.wd_cur, it->second.wd_dir}) {
    if (wd < 0) continue;
    auto b = by_wd_.find(wd);
    // The kernel drops a watch whose directory was removed (IN_IGNORED): only ours to forget.
    if (b != by_wd_.end() && b->second.first == it->first) {
      ::inotify_rm_watch(fd_, wd);
      by_wd_.erase(b);
    }
  }
  watched_.erase(it);
}

void MaildirWatch::on_io(uint32_t) {
  std::vector<Event> events;
  alignas(inotify_event) char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd_, buf, sizeof buf);
    if (n <= 0) break;  // EAGAIN: all read
    for (ssize_t off = 0; off < n;) {
      auto* ev = reinterpret_cast<inotify_event*>(buf + off);
      off += ssize_t(sizeof(inotify_event) + ev->len);
      if (ev->mask & IN_Q_OVERFLOW) {
        for (const auto& [key, w] : watched_) events.push_back({key.first, key.second, false, "", true});
        continue;
      }
      auto b = by_wd_.find(ev->wd);
      if (b == by_wd_.end()) continue;
      if (ev->mask & IN_IGNORED) {  // the directory went away (folder deleted or renamed)
        by_wd_.erase(b);
        continue;
      }
      if (ev->len == 0 || (ev->mask & IN_ISDIR)) continue;
      const Key& key = b->second.first;
      if (b->second.second == Where::Dir) {
        if (std::string(ev->name) == "dovecot-keywords") events.push_back({key.first, key.second, false, "", true});
        continue;
      }
      bool created = (ev->mask & (IN_CREATE | IN_MOVED_TO)) != 0;
      events.push_back({key.first, key.second, b->second.second == Where::New, std::string(ev->name), created});
    }
  }
  if (!events.empty()) listener_(events);
}

}  // namespace postern::imap

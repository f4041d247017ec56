#include "imap/server/server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "imap/server/session.h"
#include "log/log.h"
#include "mailbox/message_view.h"
#include "store/maildir.h"
#include "util/random.h"

namespace postern::imap {

Server::Server(ServerDeps deps) : deps_(std::move(deps)) { mailbox::init_mime(); }

Server::~Server() { stop(); }

void Server::start() {
  deps_.notifier.set_listener([this](const std::string& user, const std::string& folder) {
    loop_.post([this, user, folder] { external_change(user, folder); });
  });
  watch_ = std::make_unique<MaildirWatch>(loop_, [this](const auto& events) { files_changed(events); });
  if (!watch_->active())
    log::write(log::Service::Daemon, "-", "IMAP: inotify unavailable; other programs' Maildir changes are polled");
  loop_thread_ = std::thread([this] {
    try {
      loop_.run([this] { tick(); }, 1000);
    } catch (const std::exception& e) {
      log::write(log::Service::Daemon, "-", std::string("IMAP event loop failed: ") + e.what());
    }
  });
  for (int i = 0; i < 2; ++i) workers_.emplace_back([this] { worker_loop(); });
}

void Server::stop() {
  if (!loop_thread_.joinable()) return;
  deps_.notifier.set_listener(nullptr);
  loop_.post([this] {
    for (auto& [id, s] : sessions_) s->shutdown_notice();
  });
  loop_.stop();
  loop_thread_.join();
  sessions_.clear();
  watch_.reset();
  {
    std::lock_guard<std::mutex> lock(work_mu_);
    stopping_ = true;
  }
  work_cv_.notify_all();
  for (auto& t : workers_) t.join();
  workers_.clear();
}

void Server::accept(int fd, const std::string& peer_ip, bool implicit_tls) {
  auto cfg = deps_.config();
  if (connections_.load() >= cfg->number("imap.max_connections")) {
    if (!implicit_tls) {
      static const char busy[] = "* BYE Too many connections, try again later\r\n";
      (void)!::send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
    }
    ::close(fd);
    log::write(log::Service::Daemon, "-", "IMAP connection from [" + peer_ip + "] refused: connection limit reached");
    return;
  }
  ++connections_;
  auto tls = deps_.tls();
  loop_.post([this, fd, peer_ip, implicit_tls, cfg, tls] {
    uint64_t id = next_id_++;
    SessionSetup setup{id, "I" + util::new_queue_id().substr(5), peer_ip, implicit_tls, cfg, tls};
    if (implicit_tls && !tls) {
      ::close(fd);
      --connections_;
      return;
    }
    try {
      auto s = std::make_unique<Session>(*this, loop_, fd, setup);
      Session* raw = s.get();
      sessions_[id] = std::move(s);
      raw->greet();
    } catch (const std::exception& e) {
      log::write(log::Service::Daemon, "-", std::string("IMAP session not started: ") + e.what());
      sessions_.erase(id);
      --connections_;
    }
  });
}

void Server::session_closed(uint64_t id) {
  loop_.defer([this, id] {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return;
    Session* s = it->second.get();
    if (!s->user().empty()) {
      auto u = by_user_.find(s->user());
      if (u != by_user_.end()) {
        u->second.erase(s);
        if (u->second.empty()) by_user_.erase(u);
      }
    }
    sessions_.erase(it);
    --connections_;
  });
}

void Server::session_authenticated(Session* s) { by_user_[s->user()].insert(s); }

std::shared_ptr<mailbox::UserStore> Server::open_store(const std::string& user) {
  auto it = stores_.find(user);
  if (it != stores_.end())
    if (auto s = it->second.lock()) return s;
  auto s = std::make_shared<mailbox::UserStore>(store::maildir_path(deps_.mail_root, user));
  stores_[user] = s;
  return s;
}

void Server::changed(const std::string& user, const std::string& mailbox, const Session* by) {
  auto it = by_user_.find(user);
  if (it == by_user_.end()) return;
  for (Session* s : it->second)
    if (s != by && s->selected() == mailbox) s->mailbox_changed();
}

void Server::external_change(const std::string& user, const std::string& folder) {
  auto it = stores_.find(user);
  if (it == stores_.end()) return;
  auto store = it->second.lock();
  if (!store) return;
  try {
    bool any = store->sync(folder, true);
    if (any) changed(user, folder, nullptr);
  } catch (const std::exception& e) {
    log::write(log::Service::Daemon, "-", std::string("IMAP index sync failed for ") + user + ": " + e.what());
  }
}

bool Server::watch(const std::string& user, const std::string& mailbox, bool on) {
  if (!watch_) return false;
  if (!on) {
    watch_->unwatch(user, mailbox);
    return false;
  }
  auto it = stores_.find(user);
  auto store = it == stores_.end() ? nullptr : it->second.lock();
  return store && watch_->watch(user, mailbox, store->folder_path(mailbox));
}

void Server::files_changed(const std::vector<MaildirWatch::Event>& events) {
  // One sync per folder and batch, and none for events the index already accounts for
  // (most are Postern's own renames and moves).
  std::set<std::pair<std::string, std::string>> stale;
  for (const auto& e : events) {
    if (stale.count({e.user, e.folder})) continue;
    auto it = stores_.find(e.user);
    auto store = it == stores_.end() ? nullptr : it->second.lock();
    if (!store) continue;
    try {
      if (!store->index_explains(e.folder, e.in_new, e.name, e.created)) stale.insert({e.user, e.folder});
    } catch (const std::exception&) {
      stale.insert({e.user, e.folder});  // a folder renamed away: the sync says what to log
    }
  }
  for (const auto& [user, folder] : stale) external_change(user, folder);
}

void Server::run_in_worker(uint64_t session_id, std::function<void()> work, std::function<void()> done) {
  {
    std::lock_guard<std::mutex> lock(work_mu_);
    work_.push_back([this, session_id, work = std::move(work), done = std::move(done)] {
      work();
      loop_.post([this, session_id, done] {
        if (sessions_.count(session_id)) done();
      });
    });
  }
  work_cv_.notify_one();
}

void Server::worker_loop() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock<std::mutex> lock(work_mu_);
      work_cv_.wait(lock, [&] { return stopping_ || !work_.empty(); });
      if (stopping_ && work_.empty()) return;
      job = std::move(work_.front());
      work_.pop_front();
    }
    try {
      job();
    } catch (const std::exception& e) {
      log::write(log::Service::Daemon, "-", std::string("IMAP worker job failed: ") + e.what());
    }
  }
}

void Server::tick() {
  using namespace std::chrono;
  long long now = duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
  for (auto& [id, s] : sessions_) s->check_timeout(now);
}

}  // namespace postern::imap

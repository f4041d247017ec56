// The IMAP service: one event-loop thread serving every connection (plain with STARTTLS,
// or implicit TLS), a small worker pool for password hashing, the per-user mail stores
// shared by that user's sessions, and the fan-out of mailbox changes to the sessions that
// have the mailbox selected (from other sessions, and from local delivery through
// mailbox::Notifier, and from other programs through MaildirWatch's inotify).
// Errors: accept() closes the socket with "* BYE" when the connection limit is reached.
// Threading: accept(), stop() and notifications from any thread; the rest is the loop's.
#pragma once
#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "auth/verifier.h"
#include "config/snapshot.h"
#include "imap/server/event_loop.h"
#include "imap/server/maildir_watch.h"
#include "mailbox/notifier.h"
#include "mailbox/user_store.h"
#include "tls/server_context.h"

namespace postern::imap {

class Session;

struct ServerDeps {
  auth::Verifier& verifier;
  mailbox::Notifier& notifier;
  std::string mail_root;
  std::function<config::SnapshotPtr()> config;
  std::function<tls::ServerContextPtr()> tls;
};

class Server {
 public:
  explicit Server(ServerDeps deps);
  ~Server();

  void start();
  // Says BYE to every client and joins the threads.
  void stop();
  // Takes ownership of a connected, non-blocking socket.
  void accept(int fd, const std::string& peer_ip, bool implicit_tls);

  // Loop thread only, for sessions.
  EventLoop& loop() { return loop_; }
  auth::Verifier& verifier() { return deps_.verifier; }
  std::shared_ptr<mailbox::UserStore> open_store(const std::string& user);
  void changed(const std::string& user, const std::string& mailbox, const Session* by);
  // Runs `work` on a worker thread, then `done` on the loop thread if the session still exists.
  void run_in_worker(uint64_t session_id, std::function<void()> work, std::function<void()> done);
  void session_closed(uint64_t id);
  void session_authenticated(Session* s);
  // A session selected (`on`) or left a mailbox: its directories are watched while selected.
  // False when they cannot be (see MaildirWatch): the session polls instead.
  bool watch(const std::string& user, const std::string& mailbox, bool on);
  // Handles the file events inotify has queued so far (before a NOOP or IDLE reports).
  void read_file_events() {
    if (watch_) watch_->on_io(0);
  }

 private:
  void tick();
  void worker_loop();
  void external_change(const std::string& user, const std::string& folder);
  void files_changed(const std::vector<MaildirWatch::Event>& events);

  ServerDeps deps_;
  EventLoop loop_;
  std::thread loop_thread_;
  std::vector<std::thread> workers_;
  std::mutex work_mu_;
  std::condition_variable work_cv_;
  std::deque<std::function<void()>> work_;
  bool stopping_ = false;
  std::atomic<long long> connections_{0};
  uint64_t next_id_ = 1;
  std::map<uint64_t, std::unique_ptr<Session>> sessions_;
  std::map<std::string, std::set<Session*>> by_user_;
  std::map<std::string, std::weak_ptr<mailbox::UserStore>> stores_;
  std::unique_ptr<MaildirWatch> watch_;
};

}  // namespace postern::imap

// One IMAP4rev1 client connection (RFC 3501 with IDLE, UIDPLUS, MOVE, SPECIAL-USE, NAMESPACE,
// ID, ENABLE, LITERAL+, UNSELECT, CHILDREN, SASL-IR): the state machine, command dispatch,
// and the untagged updates that keep the client's view of the selected mailbox in line
// with changes made by other sessions and by mail delivery. Command handlers live in
// commands/*.cpp, one group per file.
// Errors: bad syntax answers a tagged BAD, refusals a tagged NO with a response code;
// store failures (I/O, database) answer NO [SERVERBUG] and are logged; the session
// survives everything but a broken connection.
// Threading: event-loop thread only; password checks run on the server's workers and come
// back through the loop.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/snapshot.h"
#include "imap/proto/command.h"
#include "imap/proto/command_reader.h"
#include "imap/proto/fetch_items.h"
#include "imap/proto/sequence_set.h"
#include "imap/server/connection.h"
#include "mailbox/user_store.h"
#include "tls/server_context.h"

namespace postern::imap {

class Server;

struct SessionSetup {
  uint64_t id;
  std::string log_id;  // "I3F2A..." in the logs
  std::string peer_ip;
  bool implicit_tls;
  config::SnapshotPtr config;
  tls::ServerContextPtr tls;
};

class Session : public Connection {
 public:
  Session(Server& server, EventLoop& loop, int fd, SessionSetup setup);
  ~Session() override;

  void greet();
  uint64_t id() const { return setup_.id; }
  const std::string& user() const { return user_; }
  const std::string& selected() const { return mailbox_; }
  // Another session or a delivery changed this user's mailbox: report it now when idling,
  // else with the next command's response.
  void mailbox_changed();
  // Called once a second-ish by the server; closes idle connections.
  void check_timeout(long long now_ms);
  void shutdown_notice();

 protected:
  void on_input(std::string& in) override;
  void on_drained() override;
  void on_closed() override;

 private:
  enum class State { NotAuthenticated, Authenticated, Selected, Logout };
  enum class Waiting { None, Idle, AuthPlain, AuthLoginUser, AuthLoginPassword, Worker };

  struct Entry {
    uint32_t uid;
    std::string flags;
    bool recent = false;    // \Recent for this session (see UserStore::claim_recent)
    bool expunged = false;  // gone from the store, EXPUNGE not yet sent
  };
  // The FLAGS list a client sees: the stored flags, and \Recent when it is this session's.
  static std::string flags_of(const Entry& e);
  size_t recent_count() const;

  // Framing and dispatch (session.cpp).
  void handle_line(const std::string& wire);
  void dispatch(Command& cmd);
  void tagged(const std::string& tag, const std::string& status, const std::string& text);
  void untagged(const std::string& text);
  void bad(const std::string& tag, const std::string& text) { tagged(tag, "BAD", text); }
  void no(const std::string& tag, const std::string& text) { tagged(tag, "NO", text); }
  void ok(const std::string& tag, const std::string& text) { tagged(tag, "OK", text); }
  std::string capabilities() const;
  bool auth_allowed() const;
  bool in_lan() const;
  long long now() const;
  // Sends EXISTS / EXPUNGE / FETCH FLAGS for what changed since the client last heard.
  // `scan` first looks at the files for changes by other programs (NOOP, IDLE, CHECK);
  // changes by other sessions are in the index already.
  void report_changes(bool allow_expunge, bool scan = false);
  void notify_others();
  std::optional<std::string> mailbox_arg(const Value& v, const std::string& tag);
  uint64_t max_literal() const;

  // commands/auth.cpp
  void cmd_capability(Command& c);
  void cmd_id(Command& c);
  void cmd_enable(Command& c);
  void cmd_namespace(Command& c);
  void cmd_starttls(Command& c);
  void cmd_login(Command& c);
  void cmd_authenticate(Command& c);
  void auth_continue(const std::string& line);
  void verify(const std::string& tag, const std::string& user, const std::string& password, const std::string& mech);
  void auth_done(const std::string& tag, const std::string& login, const std::optional<std::string>& account,
                 const std::string& mech);
  void log_auth_failure(const std::string& login, const std::string& mech, const std::string& reason);

  // commands/mailboxes.cpp
  void cmd_create(Command& c);
  void cmd_delete(Command& c);
  void cmd_rename(Command& c);
  void cmd_subscribe(Command& c, bool on);
  void cmd_list(Command& c, bool lsub);
  void cmd_status(Command& c);
  void cmd_append(Command& c);

  // commands/select.cpp
  void cmd_select(Command& c, bool read_only);
  void cmd_close(Command& c, bool expunge);
  void cmd_expunge(Command& c, bool uid);
  void cmd_noop(Command& c);
  void cmd_idle(Command& c);
  void idle_done(const std::string& line);
  void deselect();
  // Expunges the given messages (must be \Deleted or moved); sends EXPUNGE unless silent.
  void expunge_uids(const std::vector<uint32_t>& uids, bool silent);

  // commands/fetch.cpp
  void cmd_fetch(Command& c, bool uid);
  void continue_fetch();

  // commands/store.cpp
  void cmd_store(Command& c, bool uid);
  void cmd_copy(Command& c, bool uid, bool move);

  // commands/search.cpp
  void cmd_search(Command& c, bool uid);

  // Message numbers of the selected mailbox: sequence (1-based index into view_) <-> UID.
  std::optional<std::vector<size_t>> resolve(const std::string& set, bool uid, const std::string& tag);

  Server& server_;
  SessionSetup setup_;
  CommandReader reader_;
  State state_ = State::NotAuthenticated;
  Waiting waiting_ = Waiting::None;
  std::string waiting_tag_;
  std::string login_user_;  // AUTHENTICATE LOGIN: the user name step
  std::string user_;
  std::shared_ptr<mailbox::UserStore> store_;
  std::string mailbox_;
  bool read_only_ = false;
  bool watched_ = false;  // the selected folder is watched by inotify (else IDLE polls it)
  std::vector<Entry> view_;
  bool dirty_ = false;
  uint64_t known_modseq_ = 0;  // the mailbox's mod-sequence the view reflects
  uint64_t known_removals_ = 0;  // UserStore::removals() when the view was last checked
  long long last_activity_;
  long long last_poll_ = 0;

  struct FetchJob {
    std::string tag;
    bool uid;
    std::vector<FetchItem> items;
    std::vector<size_t> indexes;
    size_t next = 0;
  };
  std::unique_ptr<FetchJob> fetch_;
};

std::string compress_uids(std::vector<uint32_t> uids);

}  // namespace postern::imap

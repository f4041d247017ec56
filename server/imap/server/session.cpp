#include "imap/server/session.h"

#include <algorithm>
#include <chrono>

#include "imap/server/server.h"
#include "log/log.h"
#include "mailbox/folder_name.h"
#include "store/sqlite.h"
#include "util/cidr.h"
#include "util/strings.h"

namespace postern::imap {

namespace {
constexpr size_t kMaxLine = 64 * 1024;
constexpr uint64_t kMaxLiteralBeforeLogin = 8 * 1024;
constexpr long long kAutologoutMs = 30 * 60 * 1000;  // RFC 3501 §5.4: at least 30 minutes
}  // namespace

Session::Session(Server& server, EventLoop& loop, int fd, SessionSetup setup)
    : Connection(loop, fd), server_(server), setup_(std::move(setup)), reader_(kMaxLine, kMaxLiteralBeforeLogin) {
  last_activity_ = now();
  if (setup_.implicit_tls) start_tls(setup_.tls->raw());
}

Session::~Session() = default;

long long Session::now() const {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

uint64_t Session::max_literal() const {
  return state_ == State::NotAuthenticated ? kMaxLiteralBeforeLogin
                                           : uint64_t(setup_.config->number("imap.max_append_mb")) << 20;
}

void Session::greet() { untagged("OK [CAPABILITY " + capabilities() + "] Postern IMAP ready"); }

bool Session::in_lan() const {
  auto ip = util::IpAddress::parse(setup_.peer_ip);
  return ip && util::any_contains(setup_.config->lan(), *ip);
}

bool Session::auth_allowed() const { return tls() || (setup_.config->flag("imap.auth_plaintext_lan") && in_lan()); }

std::string Session::capabilities() const {
  std::string caps = "IMAP4rev1 LITERAL+ SASL-IR ID ENABLE IDLE NAMESPACE UNSELECT CHILDREN UIDPLUS MOVE SPECIAL-USE";
  if (state_ == State::NotAuthenticated) {
    if (!tls() && setup_.tls) caps += " STARTTLS";
    caps += auth_allowed() ? " AUTH=PLAIN AUTH=LOGIN" : " LOGINDISABLED";
  }
  return caps;
}

void Session::untagged(const std::string& text) { send("* " + text + "\r\n"); }

void Session::tagged(const std::string& tag, const std::string& status, const std::string& text) {
  send(tag + " " + status + " " + text + "\r\n");
}

void Session::on_input(std::string& in) {
  last_activity_ = now();
  while (!closed() && !paused() && !fetch_ && state_ != State::Logout) {
    auto ev = reader_.next(in);
    using E = CommandReader::Event;
    if (ev == E::None) return;
    if (ev == E::LineTooLong) {
      untagged("BAD Command line too long");
      untagged("BYE Closing connection");
      close_after_flush();
      return;
    }
    if (ev == E::TooBig) {
      std::string tag = reader_.refused_tag().empty() ? "*" : reader_.refused_tag();
      std::string limit = std::to_string(max_literal());
      if (reader_.refused_sync()) {
        no(tag, "[TOOBIG] Literal of " + std::to_string(reader_.refused_size()) + " octets is above the limit of " +
                    limit);
      } else {
        // The client is already sending the bytes of a {n+} literal: there is no way to skip
        // them without reading them.
        bad(tag, "[TOOBIG] Literal of " + std::to_string(reader_.refused_size()) + " octets is above the limit of " +
                     limit);
        untagged("BYE Closing connection");
        close_after_flush();
      }
      continue;
    }
    if (ev == E::Continue) {
      send("+ Ready for literal data\r\n");
      continue;
    }
    handle_line(reader_.take());
  }
}

void Session::on_drained() {
  if (!fetch_) return;
  try {
    continue_fetch();
  } catch (const std::exception& e) {
    log::write(log::Service::Daemon, setup_.log_id, std::string("IMAP FETCH failed: ") + e.what());
    std::string tag = fetch_ ? fetch_->tag : "*";
    fetch_.reset();
    no(tag, "[SERVERBUG] Internal error; the details are in the server log");
    set_paused(false);
    resume_input();
  }
}

void Session::on_closed() {
  fetch_.reset();
  if (state_ == State::Selected) server_.watch(user_, mailbox_, false);
  server_.session_closed(setup_.id);
}

void Session::shutdown_notice() {
  untagged("BYE Server shutting down");
  close_after_flush();
}

void Session::check_timeout(long long now_ms) {
  if (closed()) return;
  long long limit = state_ == State::NotAuthenticated ? setup_.config->number("imap.login_timeout_s") * 1000 : kAutologoutMs;
  if (waiting_ == Waiting::Worker || fetch_) return;
  // Other programs' changes to the selected folder arrive through the server's inotify
  // watch; where it cannot watch, an IDLE session rescans every 10 s instead.
  if (waiting_ == Waiting::Idle && !watched_ && now_ms - last_poll_ > 10000) {
    last_poll_ = now_ms;
    try {
      report_changes(true, true);
    } catch (const std::exception& e) {
      log::write(log::Service::Daemon, setup_.log_id, std::string("IMAP IDLE poll failed: ") + e.what());
    }
  }
  if (now_ms - last_activity_ > limit) {
    untagged("BYE Autologout; idle for too long");
    close_after_flush();
  }
}

void Session::handle_line(const std::string& wire) {
  if (waiting_ == Waiting::Idle) return idle_done(wire);
  if (waiting_ == Waiting::AuthPlain || waiting_ == Waiting::AuthLoginUser || waiting_ == Waiting::AuthLoginPassword)
    return auth_continue(wire);
  std::string tag, error;
  auto cmd = parse_command(wire, tag, error);
  if (!cmd) {
    bad(tag.empty() ? "*" : tag, "Syntax error: " + error);
    return;
  }
  try {
    dispatch(*cmd);
  } catch (const mailbox::Refused& e) {
    no(cmd->tag, "[" + e.code() + "] " + e.what());
  } catch (const std::exception& e) {
    log::write(log::Service::Daemon, setup_.log_id, std::string("IMAP ") + cmd->name + " failed: " + e.what());
    no(cmd->tag, "[SERVERBUG] Internal error; the details are in the server log");
    fetch_.reset();
  }
  reader_.set_max_literal(max_literal());
}

void Session::dispatch(Command& c) {
  const std::string& n = c.name;
  // Any state.
  if (n == "CAPABILITY") return cmd_capability(c);
  if (n == "NOOP") return cmd_noop(c);
  if (n == "LOGOUT") {
    untagged("BYE Logging out");
    ok(c.tag, "LOGOUT completed");
    state_ = State::Logout;
    close_after_flush();
    return;
  }
  if (n == "ID") return cmd_id(c);
  if (state_ == State::NotAuthenticated) {
    if (n == "STARTTLS") return cmd_starttls(c);
    if (n == "LOGIN") return cmd_login(c);
    if (n == "AUTHENTICATE") return cmd_authenticate(c);
    static const char* later[] = {"SELECT", "EXAMINE", "CREATE", "DELETE", "RENAME", "SUBSCRIBE", "UNSUBSCRIBE",
                                  "LIST", "LSUB", "STATUS", "APPEND", "NAMESPACE", "ENABLE", "IDLE", "CHECK",
                                  "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY", "MOVE"};
    for (const char* l : later)
      if (n == l || n == std::string("UID ") + l) return bad(c.tag, "Log in first");
    if (n.compare(0, 4, "UID ") == 0) return bad(c.tag, "Log in first");
    return bad(c.tag, "Unknown command " + n);
  }
  if (n == "STARTTLS" || n == "LOGIN" || n == "AUTHENTICATE") return bad(c.tag, "Already authenticated");
  if (state_ == State::Selected && dirty_ && n != "SELECT" && n != "EXAMINE" && n != "CLOSE" && n != "UNSELECT") {
    // Changes by others, told before this command's answer. EXPUNGE would renumber the
    // messages under a FETCH, STORE or SEARCH by sequence number, so those wait (RFC 3501 §7.4.1).
    bool by_sequence = n == "FETCH" || n == "STORE" || n == "SEARCH" || n == "COPY" || n == "MOVE";
    report_changes(!by_sequence);
  }
  if (n == "SELECT") return cmd_select(c, false);
  if (n == "EXAMINE") return cmd_select(c, true);
  if (n == "CREATE") return cmd_create(c);
  if (n == "DELETE") return cmd_delete(c);
  if (n == "RENAME") return cmd_rename(c);
  if (n == "SUBSCRIBE") return cmd_subscribe(c, true);
  if (n == "UNSUBSCRIBE") return cmd_subscribe(c, false);
  if (n == "LIST") return cmd_list(c, false);
  if (n == "LSUB") return cmd_list(c, true);
  if (n == "STATUS") return cmd_status(c);
  if (n == "APPEND") return cmd_append(c);
  if (n == "NAMESPACE") return cmd_namespace(c);
  if (n == "ENABLE") return cmd_enable(c);
  if (n == "IDLE") return cmd_idle(c);
  bool selected_cmd = false;
  static const char* sel[] = {"CHECK", "CLOSE", "UNSELECT", "EXPUNGE", "SEARCH", "FETCH", "STORE", "COPY", "MOVE",
                              "UID SEARCH", "UID FETCH", "UID STORE", "UID COPY", "UID MOVE", "UID EXPUNGE"};
  for (const char* s : sel) selected_cmd |= n == s;
  if (!selected_cmd) return bad(c.tag, "Unknown command " + n);
  if (state_ != State::Selected) return bad(c.tag, "No mailbox selected");
  if (n == "CHECK") {
    report_changes(true, true);
    return ok(c.tag, "CHECK completed");
  }
  if (n == "CLOSE") return cmd_close(c, true);
  if (n == "UNSELECT") return cmd_close(c, false);
  if (n == "EXPUNGE") return cmd_expunge(c, false);
  if (n == "UID EXPUNGE") return cmd_expunge(c, true);
  bool uid = n.compare(0, 4, "UID ") == 0;
  std::string base = uid ? n.substr(4) : n;
  if (base == "SEARCH") return cmd_search(c, uid);
  if (base == "FETCH") return cmd_fetch(c, uid);
  if (base == "STORE") return cmd_store(c, uid);
  if (base == "COPY") return cmd_copy(c, uid, false);
  if (base == "MOVE") return cmd_copy(c, uid, true);
}

std::optional<std::string> Session::mailbox_arg(const Value& v, const std::string& tag) {
  if (!v.is_astring()) {
    bad(tag, "Mailbox name expected");
    return std::nullopt;
  }
  std::string name = mailbox::canonical_name(v.text);
  if (auto why = mailbox::check_folder_name(name)) {
    no(tag, "[CANNOT] " + *why);
    return std::nullopt;
  }
  return name;
}

void Session::mailbox_changed() {
  dirty_ = true;
  if (waiting_ == Waiting::Idle) report_changes(true);
}

void Session::notify_others() { server_.changed(user_, mailbox_, this); }

void Session::report_changes(bool allow_expunge, bool scan) {
  if (state_ != State::Selected) return;
  dirty_ = false;
  if (scan && store_->sync(mailbox_)) notify_others();
  uint64_t modseq = store_->highest_modseq(mailbox_);
  uint32_t last = view_.empty() ? 0 : view_.back().uid;
  size_t known = 0;
  for (const auto& e : view_) known += !e.expunged;
  // Expunges: fewer messages up to the last known UID than the view holds. Only then is the
  // whole list compared; otherwise only what changed since the view's mod-sequence is read.
  // Nothing to count when no message left the index since the last look.
  bool removed = store_->removals() != known_removals_;
  known_removals_ = store_->removals();
  if (removed && store_->count_up_to(mailbox_, last) != known) {
    auto rows = store_->messages(mailbox_);
    size_t r = 0;
    for (auto& e : view_) {
      while (r < rows.size() && rows[r].uid < e.uid) ++r;
      if (r >= rows.size() || rows[r].uid != e.uid) e.expunged = true;
    }
  }
  if (allow_expunge) {
    for (size_t i = view_.size(); i-- > 0;) {
      if (!view_[i].expunged) continue;
      untagged(std::to_string(i + 1) + " EXPUNGE");
      view_.erase(view_.begin() + long(i));
    }
  }
  if (modseq == known_modseq_) return;
  size_t before = view_.size();
  std::optional<uint32_t> recent_from;
  for (const auto& row : store_->changed_since(mailbox_, known_modseq_)) {
    if (row.uid > last) {
      // The first session to hear of a message gets its \Recent; a read-only one only looks.
      if (!recent_from) recent_from = read_only_ ? store_->recent_from(mailbox_) : store_->claim_recent(mailbox_);
      view_.push_back({row.uid, row.flags, row.uid >= *recent_from});
      continue;
    }
    auto it = std::lower_bound(view_.begin(), view_.end(), row.uid,
                               [](const Entry& e, uint32_t uid) { return e.uid < uid; });
    if (it != view_.end() && it->uid == row.uid && it->flags != row.flags) {
      it->flags = row.flags;
      untagged(std::to_string(it - view_.begin() + 1) + " FETCH (UID " + std::to_string(row.uid) + " FLAGS (" +
               flags_of(*it) + "))");
    }
  }
  known_modseq_ = modseq;
  if (view_.size() != before) {
    untagged(std::to_string(view_.size()) + " EXISTS");
    untagged(std::to_string(recent_count()) + " RECENT");
  }
}

std::string Session::flags_of(const Entry& e) {
  if (!e.recent) return e.flags;
  return e.flags.empty() ? "\\Recent" : e.flags + " \\Recent";
}

size_t Session::recent_count() const {
  size_t n = 0;
  for (const auto& e : view_) n += e.recent && !e.expunged;
  return n;
}

std::optional<std::vector<size_t>> Session::resolve(const std::string& text, bool uid, const std::string& tag) {
  auto set = SequenceSet::parse(text);
  if (!set) {
    bad(tag, "Invalid sequence set");
    return std::nullopt;
  }
  std::vector<size_t> out;
  if (view_.empty()) {
    if (!uid && text.find('*') == std::string::npos) {
      bad(tag, "No messages in the mailbox");
      return std::nullopt;
    }
    return out;
  }
  if (uid) {
    uint32_t largest = view_.back().uid;
    for (size_t i = 0; i < view_.size(); ++i)
      if (set->contains(view_[i].uid, largest)) out.push_back(i);
    return out;
  }
  // A number above the count is an error for sequence numbers (RFC 3501 §6.4.8 is for UIDs only).
  if (set->max_number() > view_.size()) {
    bad(tag, "Invalid message sequence number " + std::to_string(set->max_number()));
    return std::nullopt;
  }
  for (uint32_t n : set->expand(uint32_t(view_.size()))) out.push_back(n - 1);
  return out;
}

std::string compress_uids(std::vector<uint32_t> uids) {
  std::sort(uids.begin(), uids.end());
  std::string out;
  for (size_t i = 0; i < uids.size();) {
    size_t j = i;
    while (j + 1 < uids.size() && uids[j + 1] == uids[j] + 1) ++j;
    if (!out.empty()) out += ",";
    out += std::to_string(uids[i]);
    if (j > i) out += ":" + std::to_string(uids[j]);
    i = j + 1;
  }
  return out;
}

}  // namespace postern::imap

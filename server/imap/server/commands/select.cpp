// Selected-state lifecycle: SELECT, EXAMINE, CLOSE, UNSELECT, EXPUNGE and UID EXPUNGE
// (UIDPLUS), NOOP and IDLE (RFC 2177), the commands during which other sessions' changes
// are reported.
#include "imap/server/server.h"
#include "imap/server/session.h"
#include "mailbox/folder_name.h"
#include "util/strings.h"

namespace postern::imap {

void Session::deselect() {
  if (state_ == State::Selected) server_.watch(user_, mailbox_, false);
  watched_ = false;
  state_ = State::Authenticated;
  mailbox_.clear();
  view_.clear();
  view_.shrink_to_fit();
  dirty_ = false;
  known_modseq_ = 0;
}

void Session::cmd_select(Command& c, bool read_only) {
  if (c.args.size() != 1) return bad(c.tag, "A mailbox name is needed");
  bool was_selected = state_ == State::Selected;
  if (was_selected) deselect();
  if (was_selected) untagged("OK [CLOSED] Previous mailbox closed");
  auto name = mailbox_arg(c.args[0], c.tag);
  if (!name) return;
  if (!store_->exists(*name)) return no(c.tag, "[NONEXISTENT] No such mailbox");
  store_->sync(*name, true);
  known_removals_ = store_->removals();
  auto rows = store_->messages(*name);
  auto st = store_->status(*name);
  // SELECT takes \Recent for this session; EXAMINE must leave it for the next SELECT.
  uint32_t recent_from = read_only ? store_->recent_from(*name) : store_->claim_recent(*name);
  known_modseq_ = st.highest_modseq;
  mailbox_ = *name;
  read_only_ = read_only;
  state_ = State::Selected;
  watched_ = server_.watch(user_, mailbox_, true);
  view_.clear();
  uint32_t first_unseen = 0;
  for (const auto& r : rows) {
    view_.push_back({r.uid, r.flags, r.uid >= recent_from});
    if (!first_unseen && (" " + r.flags + " ").find(" \\Seen ") == std::string::npos) first_unseen = uint32_t(view_.size());
  }
  untagged("FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)");
  untagged(read_only ? "OK [PERMANENTFLAGS ()] Read-only mailbox"
                     : "OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft \\*)] Flags permitted");
  untagged(std::to_string(view_.size()) + " EXISTS");
  untagged(std::to_string(recent_count()) + " RECENT");
  if (first_unseen) untagged("OK [UNSEEN " + std::to_string(first_unseen) + "] First unseen");
  untagged("OK [UIDVALIDITY " + std::to_string(st.uidvalidity) + "] UIDs valid");
  untagged("OK [UIDNEXT " + std::to_string(st.uidnext) + "] Predicted next UID");
  ok(c.tag, std::string(read_only ? "[READ-ONLY] EXAMINE" : "[READ-WRITE] SELECT") + " completed");
}

void Session::expunge_uids(const std::vector<uint32_t>& uids, bool silent) {
  if (uids.empty()) return;
  store_->expunge(mailbox_, uids);
  std::vector<uint32_t> sorted = uids;
  std::sort(sorted.begin(), sorted.end());
  for (size_t i = view_.size(); i-- > 0;) {
    if (!std::binary_search(sorted.begin(), sorted.end(), view_[i].uid)) continue;
    if (!silent) untagged(std::to_string(i + 1) + " EXPUNGE");
    view_.erase(view_.begin() + long(i));
  }
  notify_others();
}

void Session::cmd_close(Command& c, bool expunge) {
  if (!c.args.empty()) return bad(c.tag, "No arguments expected");
  if (expunge && !read_only_) {
    std::vector<uint32_t> uids;
    for (const auto& m : store_->messages(mailbox_))
      if ((" " + m.flags + " ").find(" \\Deleted ") != std::string::npos) uids.push_back(m.uid);
    expunge_uids(uids, true);
  }
  deselect();
  ok(c.tag, std::string(expunge ? "CLOSE" : "UNSELECT") + " completed");
}

void Session::cmd_expunge(Command& c, bool uid) {
  if (read_only_) return no(c.tag, "[READ-ONLY] Mailbox is read-only");
  std::optional<SequenceSet> set;
  if (uid) {
    if (c.args.size() != 1 || !c.args[0].is_atom() || !(set = SequenceSet::parse(c.args[0].text)))
      return bad(c.tag, "UID EXPUNGE needs a UID set");
  } else if (!c.args.empty()) {
    return bad(c.tag, "No arguments expected");
  }
  report_changes(true);
  std::vector<uint32_t> uids;
  uint32_t largest = view_.empty() ? 0 : view_.back().uid;
  for (const auto& m : store_->messages(mailbox_)) {
    if ((" " + m.flags + " ").find(" \\Deleted ") == std::string::npos) continue;
    if (set && !set->contains(m.uid, largest)) continue;
    uids.push_back(m.uid);
  }
  expunge_uids(uids, false);
  ok(c.tag, "EXPUNGE completed");
}

void Session::cmd_noop(Command& c) {
  // A watched folder's changes by other programs come by inotify: the kernel queued every
  // change made before this NOOP was sent, so reading that queue now is enough.
  if (watched_) server_.read_file_events();
  report_changes(true, !watched_);
  ok(c.tag, "NOOP completed");
}

void Session::cmd_idle(Command& c) {
  if (!c.args.empty()) return bad(c.tag, "IDLE takes no arguments");
  waiting_ = Waiting::Idle;
  waiting_tag_ = c.tag;
  send("+ idling\r\n");
  if (watched_) server_.read_file_events();
  report_changes(true, !watched_);
}

void Session::idle_done(const std::string& line) {
  waiting_ = Waiting::None;
  if (!util::iequals(line, "DONE")) return bad(waiting_tag_, "Expected DONE");
  ok(waiting_tag_, "IDLE terminated");
}

}  // namespace postern::imap

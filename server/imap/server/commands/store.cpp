// STORE (FLAGS, +FLAGS, -FLAGS, .SILENT), COPY and MOVE (RFC 6851), with UIDPLUS's COPYUID.
#include "imap/server/server.h"
#include "imap/server/session.h"
#include "mailbox/folder_name.h"
#include "util/strings.h"

namespace postern::imap {

void Session::cmd_store(Command& c, bool uid) {
  if (c.args.size() != 3 || !c.args[0].is_atom() || !c.args[1].is_atom())
    return bad(c.tag, "STORE needs a sequence set, an action and flags");
  std::string action = util::to_upper(c.args[1].text);
  bool silent = false;
  if (action.size() > 7 && action.compare(action.size() - 7, 7, ".SILENT") == 0) {
    silent = true;
    action.resize(action.size() - 7);
  }
  if (action != "FLAGS" && action != "+FLAGS" && action != "-FLAGS") return bad(c.tag, "Unknown STORE action " + c.args[1].text);
  std::vector<std::string> given;
  if (c.args[2].is_list()) {
    for (const auto& f : c.args[2].items) {
      if (!f.is_atom()) return bad(c.tag, "Flags must be atoms");
      given.push_back(f.text);
    }
  } else if (c.args[2].is_atom()) {
    given.push_back(c.args[2].text);
  } else {
    return bad(c.tag, "Flags must be atoms");
  }
  auto canon = mailbox::canonical_flags(given);
  if (!canon) return bad(c.tag, "Invalid flag");
  auto indexes = resolve(c.args[0].text, uid, c.tag);
  if (!indexes) return;
  if (read_only_) return no(c.tag, "[READ-ONLY] Mailbox is read-only");
  auto wanted = mailbox::split_flags(*canon);
  bool changed = false;
  for (size_t idx : *indexes) {
    Entry& e = view_[idx];
    if (e.expunged) continue;
    std::vector<std::string> next;
    if (action == "FLAGS") {
      next = wanted;
    } else {
      next = mailbox::split_flags(e.flags);
      for (const auto& w : wanted) {
        auto it = std::find_if(next.begin(), next.end(), [&](const std::string& f) { return util::iequals(f, w); });
        if (action == "+FLAGS" && it == next.end()) next.push_back(w);
        if (action == "-FLAGS" && it != next.end()) next.erase(it);
      }
    }
    auto flags = mailbox::canonical_flags(next);
    auto stored = store_->set_flags(mailbox_, e.uid, *flags);
    if (!stored) continue;
    changed |= *stored != e.flags;
    e.flags = *stored;
    if (!silent)
      untagged(std::to_string(idx + 1) + " FETCH (" + (uid ? "UID " + std::to_string(e.uid) + " " : "") + "FLAGS (" +
               flags_of(e) + "))");
  }
  if (changed) notify_others();
  ok(c.tag, std::string(uid ? "UID STORE" : "STORE") + " completed");
}

void Session::cmd_copy(Command& c, bool uid, bool move) {
  const char* verb = move ? "MOVE" : "COPY";
  if (c.args.size() != 2 || !c.args[0].is_atom()) return bad(c.tag, std::string(verb) + " needs a sequence set and a mailbox");
  auto indexes = resolve(c.args[0].text, uid, c.tag);
  if (!indexes) return;
  auto target = mailbox_arg(c.args[1], c.tag);
  if (!target) return;
  if (!store_->exists(*target)) return no(c.tag, "[TRYCREATE] No such mailbox");
  if (move && read_only_) return no(c.tag, "[READ-ONLY] Mailbox is read-only");
  std::vector<uint32_t> uids;
  for (size_t idx : *indexes)
    if (!view_[idx].expunged) uids.push_back(view_[idx].uid);
  auto res = store_->copy(mailbox_, uids, *target);
  std::vector<uint32_t> from, to;
  for (auto [a, b] : res.uids) {
    from.push_back(a);
    to.push_back(b);
  }
  std::string code = res.uids.empty() ? "" : "[COPYUID " + std::to_string(res.uidvalidity) + " " + compress_uids(from) +
                                                  " " + compress_uids(to) + "] ";
  server_.changed(user_, *target, this);
  if (*target == mailbox_) report_changes(false);
  if (move) {
    if (!code.empty()) untagged("OK " + code + "Moved");
    expunge_uids(from, false);
    return ok(c.tag, std::string(uid ? "UID MOVE" : "MOVE") + " completed");
  }
  ok(c.tag, code + (uid ? "UID COPY" : "COPY") + " completed");
}

}  // namespace postern::imap

// Mailbox management: CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE, LIST, LSUB (with
// CHILDREN and SPECIAL-USE attributes), STATUS and APPEND (with UIDPLUS's APPENDUID).
#include <map>
#include <set>

#include "imap/proto/date_time.h"
#include "imap/proto/response.h"
#include "imap/server/server.h"
#include "imap/server/session.h"
#include "mailbox/folder_name.h"
#include "util/strings.h"

namespace postern::imap {

namespace {

// IMAP LIST wildcards: '*' matches anything, '%' anything but the hierarchy delimiter.
bool wildcard_match(const char* p, const char* s) {
  for (; *p; ++p) {
    if (*p == '*' || *p == '%') {
      bool star = *p == '*';
      for (const char* t = s;; ++t) {
        if (wildcard_match(p + 1, t)) return true;
        if (!*t || (!star && *t == mailbox::kDelimiter)) return false;
      }
    }
    if (*s != *p) return false;
    ++s;
  }
  return *s == 0;
}

}  // namespace

void Session::cmd_create(Command& c) {
  if (c.args.size() != 1) return bad(c.tag, "CREATE needs a mailbox name");
  std::string raw = c.args[0].text;
  // A trailing delimiter only says the client intends to create children (RFC 3501 §6.3.3).
  if (!raw.empty() && raw.back() == mailbox::kDelimiter) raw.pop_back();
  Value v = c.args[0];
  v.text = raw;
  auto name = mailbox_arg(v, c.tag);
  if (!name) return;
  if (*name == "INBOX") return no(c.tag, "[ALREADYEXISTS] INBOX always exists");
  store_->create(*name);
  ok(c.tag, "CREATE completed");
}

void Session::cmd_delete(Command& c) {
  if (c.args.size() != 1) return bad(c.tag, "DELETE needs a mailbox name");
  auto name = mailbox_arg(c.args[0], c.tag);
  if (!name) return;
  if (state_ == State::Selected && mailbox_ == *name) deselect();
  store_->remove(*name);
  ok(c.tag, "DELETE completed");
}

void Session::cmd_rename(Command& c) {
  if (c.args.size() != 2) return bad(c.tag, "RENAME needs two mailbox names");
  auto from = mailbox_arg(c.args[0], c.tag);
  if (!from) return;
  auto to = mailbox_arg(c.args[1], c.tag);
  if (!to) return;
  if (*to == "INBOX") return no(c.tag, "[ALREADYEXISTS] INBOX always exists");
  if (!store_->exists(*from)) return no(c.tag, "[NONEXISTENT] No such mailbox");
  store_->rename(*from, *to);
  ok(c.tag, "RENAME completed");
}

void Session::cmd_subscribe(Command& c, bool on) {
  if (c.args.size() != 1) return bad(c.tag, "A mailbox name is needed");
  auto name = mailbox_arg(c.args[0], c.tag);
  if (!name) return;
  store_->subscribe(*name, on);
  ok(c.tag, std::string(on ? "SUBSCRIBE" : "UNSUBSCRIBE") + " completed");
}

void Session::cmd_list(Command& c, bool lsub) {
  const char* verb = lsub ? "LSUB" : "LIST";
  if (c.args.size() != 2 || !c.args[0].is_astring() || !c.args[1].is_astring())
    return bad(c.tag, std::string(verb) + " needs a reference and a mailbox pattern");
  std::string ref = c.args[0].text, pattern = c.args[1].text;
  if (pattern.empty() && !lsub) {
    untagged("LIST (\\Noselect) \".\" \"\"");
    return ok(c.tag, "LIST completed");
  }
  std::string full = mailbox::canonical_name(ref + pattern);
  if (util::istarts_with(full, "INBOX")) full = "INBOX" + full.substr(5);
  auto folders = store_->folders();
  std::set<std::string> existing(folders.begin(), folders.end());
  // Every name with its parents, which exist implicitly in Maildir++ when only children do.
  std::map<std::string, bool> names;  // name -> has children
  for (const auto& f : folders) {
    names.emplace(f, false);
    for (size_t dot = f.find(mailbox::kDelimiter); dot != std::string::npos; dot = f.find(mailbox::kDelimiter, dot + 1))
      names[f.substr(0, dot)] = true;
  }
  for (auto& [n, kids] : names)
    for (const auto& f : folders)
      if (f.size() > n.size() && f.compare(0, n.size(), n) == 0 && f[n.size()] == mailbox::kDelimiter) kids = true;
  std::set<std::string> subscribed;
  if (lsub)
    for (const auto& s : store_->subscriptions()) subscribed.insert(s);
  for (const auto& [n, kids] : names) {
    if (!wildcard_match(full.c_str(), n.c_str())) continue;
    if (lsub && !subscribed.count(n)) continue;
    std::string attrs;
    if (!existing.count(n)) attrs = "\\Noselect ";
    attrs += kids ? "\\HasChildren" : "\\HasNoChildren";
    std::string special = mailbox::special_use(n);
    if (!special.empty()) attrs += " " + special;
    untagged(std::string(verb) + " (" + attrs + ") \".\" " + quote(n));
  }
  ok(c.tag, std::string(verb) + " completed");
}

void Session::cmd_status(Command& c) {
  if (c.args.size() != 2 || !c.args[1].is_list() || c.args[1].items.empty())
    return bad(c.tag, "STATUS needs a mailbox and a list of items");
  auto name = mailbox_arg(c.args[0], c.tag);
  if (!name) return;
  if (!store_->exists(*name)) return no(c.tag, "[NONEXISTENT] No such mailbox");
  store_->sync(*name, true);
  auto st = store_->status(*name);
  std::string out;
  for (const auto& item : c.args[1].items) {
    std::string up = util::to_upper(item.text);
    std::string value;
    if (up == "MESSAGES") value = std::to_string(st.messages);
    else if (up == "RECENT") value = std::to_string(st.recent);
    else if (up == "UIDNEXT") value = std::to_string(st.uidnext);
    else if (up == "UIDVALIDITY") value = std::to_string(st.uidvalidity);
    else if (up == "UNSEEN") value = std::to_string(st.unseen);
    else return bad(c.tag, "Unknown STATUS item " + item.text);
    out += (out.empty() ? "" : " ") + up + " " + value;
  }
  untagged("STATUS " + quote(*name) + " (" + out + ")");
  ok(c.tag, "STATUS completed");
}

void Session::cmd_append(Command& c) {
  if (c.args.size() < 2 || c.args.size() > 4) return bad(c.tag, "APPEND needs a mailbox and a message");
  auto name = mailbox_arg(c.args[0], c.tag);
  if (!name) return;
  std::vector<std::string> flags;
  std::optional<std::time_t> date;
  size_t i = 1;
  if (c.args[i].is_list()) {
    for (const auto& f : c.args[i].items) {
      if (!f.is_atom()) return bad(c.tag, "Flags must be atoms");
      flags.push_back(f.text);
    }
    ++i;
  }
  if (i + 1 < c.args.size()) {
    if (c.args[i].kind != Value::Kind::String || c.args[i].literal) return bad(c.tag, "Bad APPEND date-time");
    date = parse_date_time(c.args[i].text);
    if (!date) return bad(c.tag, "Bad APPEND date-time " + c.args[i].text);
    ++i;
  }
  if (i + 1 != c.args.size() || c.args[i].kind != Value::Kind::String) return bad(c.tag, "APPEND needs the message as a literal");
  auto canon = mailbox::canonical_flags(flags);
  if (!canon) return bad(c.tag, "Invalid flag in APPEND");
  if (c.args[i].text.empty()) return no(c.tag, "Empty message");
  if (!store_->exists(*name)) return no(c.tag, "[TRYCREATE] No such mailbox");
  uint32_t uid = store_->append(*name, c.args[i].text, *canon, date);
  auto st = store_->status(*name);
  server_.changed(user_, *name, this);
  if (state_ == State::Selected && mailbox_ == *name) report_changes(true);
  ok(c.tag, "[APPENDUID " + std::to_string(st.uidvalidity) + " " + std::to_string(uid) + "] APPEND completed");
}

}  // namespace postern::imap

// FETCH and UID FETCH: flags, UID, sizes, dates, ENVELOPE, BODY/BODYSTRUCTURE and
// BODY[section]<partial> through mailbox::MessageView. Large results are produced a few
// messages at a time while the client reads, so a FETCH 1:* BODY[] of a big mailbox never
// sits in memory whole.
#include "imap/proto/date_time.h"
#include "imap/proto/response.h"
#include "imap/server/server.h"
#include "imap/server/session.h"
#include "log/log.h"
#include "mailbox/message_view.h"

namespace postern::imap {

namespace {
constexpr size_t kHighWater = 256 * 1024;
}

void Session::cmd_fetch(Command& c, bool uid) {
  if (c.args.size() != 2 || !c.args[0].is_atom()) return bad(c.tag, "FETCH needs a sequence set and items");
  std::string error;
  auto items = parse_fetch_items(c.args[1], error);
  if (!items) return bad(c.tag, "Invalid FETCH items: " + error);
  auto indexes = resolve(c.args[0].text, uid, c.tag);
  if (!indexes) return;
  fetch_ = std::make_unique<FetchJob>(FetchJob{c.tag, uid, std::move(*items), std::move(*indexes), 0});
  continue_fetch();
}

void Session::continue_fetch() {
  if (!fetch_ || closed()) return;
  FetchJob& job = *fetch_;
  bool set_seen = fetch_sets_seen(job.items) && !read_only_;
  std::vector<mailbox::MessageInfo> rows;
  bool need_rows = false;
  for (const auto& it : job.items)
    if (it.kind != FetchItem::Kind::Flags && it.kind != FetchItem::Kind::Uid) need_rows = true;
  // A few messages are looked up one by one; a range, all at once.
  bool one_by_one = job.indexes.size() - job.next <= 16;
  if ((need_rows || set_seen) && !one_by_one) rows = store_->messages(mailbox_);
  bool seen_changed = false;
  while (job.next < job.indexes.size() && pending_output() < kHighWater) {
    size_t idx = job.indexes[job.next++];
    if (idx >= view_.size()) continue;
    Entry& e = view_[idx];
    mailbox::MessageInfo* row = nullptr;
    std::optional<mailbox::MessageInfo> single;
    if ((need_rows || set_seen) && one_by_one) {
      single = store_->message(mailbox_, e.uid);
      if (single) row = &*single;
    } else if (!rows.empty()) {
      auto it = std::lower_bound(rows.begin(), rows.end(), e.uid,
                                 [](const mailbox::MessageInfo& m, uint32_t u) { return m.uid < u; });
      if (it != rows.end() && it->uid == e.uid) row = &*it;
    }
    if ((need_rows || set_seen) && !row) continue;  // expunged meanwhile by another session
    std::optional<mailbox::MessageView> view;
    auto message = [&]() -> mailbox::MessageView& {
      if (!view) view.emplace(mailbox::MessageView::load(store_->message_path(mailbox_, *row)));
      return *view;
    };
    std::optional<mailbox::UserStore::Parsed> parsed;
    auto structure = [&]() -> const mailbox::UserStore::Parsed& {
      if (parsed) return *parsed;
      parsed = store_->parsed(mailbox_, e.uid);
      if (!parsed) {
        parsed = mailbox::UserStore::Parsed{message().envelope(), message().body_structure(false),
                                            message().body_structure(true)};
        store_->keep_parsed(mailbox_, e.uid, *parsed);
      }
      return *parsed;
    };
    std::string out = "* " + std::to_string(idx + 1) + " FETCH (";
    bool first = true;
    auto add = [&](const std::string& s) {
      if (!first) out += ' ';
      first = false;
      out += s;
    };
    bool flags_sent = false;
    if (set_seen && (" " + e.flags + " ").find(" \\Seen ") == std::string::npos) {
      auto flags = mailbox::canonical_flags(mailbox::split_flags(e.flags + " \\Seen"));
      auto stored = store_->set_flags(mailbox_, e.uid, *flags, &row->file);
      if (stored) {
        e.flags = *stored;
        seen_changed = true;
        add("FLAGS (" + flags_of(e) + ")");
        flags_sent = true;
      }
    }
    if (job.uid) add("UID " + std::to_string(e.uid));
    try {
      for (const auto& it : job.items) {
        using K = FetchItem::Kind;
        switch (it.kind) {
          case K::Flags:
            if (!flags_sent) add("FLAGS (" + flags_of(e) + ")");
            flags_sent = true;
            break;
          case K::Uid:
            if (!job.uid) add("UID " + std::to_string(e.uid));
            break;
          case K::InternalDate: add("INTERNALDATE \"" + format_date_time(row->internal_date) + "\""); break;
          case K::Size: add("RFC822.SIZE " + std::to_string(row->size)); break;
          case K::Envelope: add("ENVELOPE " + structure().envelope); break;
          case K::BodyStructure: add("BODYSTRUCTURE " + structure().body_structure); break;
          case K::Body: add("BODY " + structure().body); break;
          case K::Rfc822: add("RFC822 " + literal(message().content())); break;
          case K::Rfc822Header: {
            Section s;
            s.text = Section::Text::Header;
            add("RFC822.HEADER " + literal(message().section(s)));
            break;
          }
          case K::Rfc822Text: {
            Section s;
            s.text = Section::Text::Text;
            add("RFC822.TEXT " + literal(message().section(s)));
            break;
          }
          case K::Section: {
            std::string data = message().section(it.section);
            std::string name = "BODY[" + it.section.spec + "]";
            if (it.partial) {
              name += "<" + std::to_string(it.offset) + ">";
              data = it.offset >= data.size() ? "" : data.substr(size_t(it.offset), size_t(it.length));
            }
            add(name + " " + literal(data));
            break;
          }
        }
      }
    } catch (const std::system_error& err) {
      // The file went away under us (another program expunged it): skip the message.
      log::write(log::Service::Daemon, setup_.log_id, std::string("IMAP FETCH skipped a message: ") + err.what());
      continue;
    }
    send(out + ")\r\n");
  }
  if (seen_changed) notify_others();
  if (job.next < job.indexes.size()) {
    set_paused(true);  // more once the client has read this much
    return;
  }
  std::string tag = job.tag;
  bool uid = job.uid;
  fetch_.reset();
  ok(tag, std::string(uid ? "UID FETCH" : "FETCH") + " completed");
  if (paused()) {
    // Finished from on_drained(): commands that arrived meanwhile are waiting.
    set_paused(false);
    resume_input();
  }
}

}  // namespace postern::imap

// DATA (RFC 5321 §4.1.1.4): receive the message, enforce size, line length, hop count and
// the bare-LF rule, add trace headers, and answer 250 only once the queue has it on disk.
#include <ctime>

#include "mail/header_scan.h"
#include "smtp/proto/data_reader.h"
#include "smtp/server/session.h"
#include "smtp/server/trace_headers.h"
#include "util/random.h"

namespace postern::smtp {

Session::Next Session::cmd_data(const Command& cmd) {
  if (!sender_) return error(503, "5.5.1", "Need MAIL command");
  if (recipients_.empty() && ctx_.discarded_recipients == 0) return error(554, "5.5.1", "No valid recipients");
  if (!cmd.args.empty()) return error(501, "5.5.4", "Syntax: DATA");
  if (recipients_.empty()) {  // every recipient was a discarding blacklist entry
    ctx_.discard = true;
    if (ctx_.discard_reason.empty()) ctx_.discard_reason = "recipient.blacklist";
  }
  if (auto v = svc_.policy.check_data(ctx_, cfg_); v.refused()) {
    Next next = Session::refuse(v);
    // Whatever the client sent ahead is not a command stream to be trusted now.
    reset_transaction();
    return next;
  }
  reply(354, "", "End data with <CR><LF>.<CR><LF>");
  if (!flush()) return Next::Close;

  size_t max_bytes = size_t(cfg_.number("smtp.max_message_size_mb")) * 1024 * 1024;
  size_t max_line = size_t(cfg_.number("smtp.max_line_length"));
  DataReader reader(max_bytes, max_line);
  // Bytes of this message counted against the daemon-wide budget, returned on every exit.
  size_t held = 0;
  bool over_budget = false;
  const size_t budget_limit = size_t(cfg_.number("smtp.data_memory_mb")) << 20;
  struct Release {
    DataBudget& budget;
    size_t& held;
    ~Release() { budget.give(held); }
  } release{svc_.budget, held};
  auto account = [&] {
    size_t now = reader.message().size();
    if (over_budget || now <= held) return;
    if (svc_.budget.take(now - held, budget_limit)) {
      held = now;
    } else {
      over_budget = true;
      reader.stop_storing();
    }
  };
  std::string line;
  for (;;) {
    auto st = io_.read_line(line, max_line, int(cfg_.number("smtp.data_timeout_s") * 1000), false);
    if (st == net::ReadStatus::Line) {
      bool end = reader.feed(line);
      account();
      if (end) break;
    } else if (st == net::ReadStatus::Partial) {
      reader.feed(line, true);
      account();
    } else if (st == net::ReadStatus::Timeout) {
      reply(421, "4.4.2", hostname() + " Timeout exceeded during DATA, closing connection");
      log("timeout during DATA after " + std::to_string(reader.size()) + " bytes");
      return Next::Close;
    } else {
      log("connection lost during DATA after " + std::to_string(reader.size()) + " bytes");
      return Next::Close;
    }
  }

  Next outcome = Next::Continue;
  auto refuse = [&](int code, const char* enhanced, const std::string& text) {
    outcome = error(code, enhanced, text);
    reset_transaction();
    return outcome;
  };
  if (reader.too_big())
    return refuse(552, "5.3.4", "Message size exceeds fixed limit of " + std::to_string(max_bytes) + " bytes");
  if (over_budget) {
    log("refused: receive memory budget (smtp.data_memory_mb) exhausted");
    return refuse(452, "4.3.1", "Insufficient system storage, try again later");
  }
  if (reader.line_too_long())
    return refuse(500, "5.5.2", "Message line longer than " + std::to_string(max_line) + " bytes");
  if (reader.saw_bare_lf() && cfg_.text("smtp.bare_newline") == "reject")
    return refuse(550, "5.5.2", "Bare <LF> received; lines must end in <CR><LF>");
  auto facts = mail::scan_headers(reader.message());
  if (facts.received_count >= cfg_.number("smtp.max_hops"))
    return refuse(554, "5.4.6", "Too many hops (" + std::to_string(facts.received_count) + " Received headers): mail loop?");

  if (auto v = svc_.policy.check_end_of_data(ctx_, cfg_); v.refused()) {
    Next next = Session::refuse(v);
    reset_transaction();
    return next;
  }

  queue::Message msg;
  msg.id = util::new_queue_id();
  if (ctx_.discard) {
    // SEC-1 discard: the client is told the message was taken; it goes nowhere.
    log("discarded id=" + msg.id + " from=<" + sender_->str() + "> nrcpt=" + std::to_string(accepted_rcpts_) +
        " size=" + std::to_string(reader.size()) + " reason=" + ctx_.discard_reason);
    svc_.policy.message_accepted(ctx_);
    reset_transaction();
    reply(250, "2.0.0", "Ok: queued as " + msg.id);
    return outcome;
  }
  std::time_t now = std::time(nullptr);
  TraceInfo trace{helo_, setup_.peer_ip, hostname(), protocol_name(), msg.id, io_.tls_description(),
                  accepted_rcpts_ == 1 ? last_rcpt_ : "", now};
  auto spf_headers = ctx_.notes.find(spf::kHeadersNote);
  std::string headers = (spf_headers == ctx_.notes.end() ? "" : spf_headers->second) + received_header(trace);
  if (facts_.port == policy::Port::Submission) {
    if (!facts.has_date) headers += date_header(now);
    if (!facts.has_message_id) headers += message_id_header(msg.id, hostname());
  }
  msg.body = headers + reader.take_message();
  // Our own users' mail is signed here, once, before the queue write (never mail from outside).
  std::string dkim_note;
  if (svc_.dkim && cfg_.flag("dkim.sign") && svc_.policy.may_relay(facts_, cfg_)) {
    auto signed_by = svc_.dkim->sign(msg.body, facts_.own_network(), {facts_.auth_user, sender_->str()});
    if (!signed_by.problem.empty()) log("DKIM signing failed, sent unsigned: " + signed_by.problem);
    if (!signed_by.header.empty()) {
      msg.body = signed_by.header + msg.body;
      dkim_note = " dkim=" + signed_by.domain;
    }
  }
  msg.client_ip = setup_.peer_ip;
  msg.helo = helo_;
  msg.auth_user = facts_.auth_user;
  std::string summary = "queued id=" + msg.id + " from=<" + sender_->str() + "> nrcpt=" + std::to_string(recipients_.size()) +
                        " size=" + std::to_string(msg.body.size()) + (facts_.authenticated() ? " user=" + facts_.auth_user : "") + dkim_note +
                        (ctx_.whitelist.matched()
                             ? " whitelist=" + ctx_.whitelist.describe() + " skip=" + ctx_.whitelist.describe_skips()
                             : "");
  std::string id = msg.id;
  uint64_t size = msg.body.size();
  try {
    // SPF-10: forwarded copies may leave with their own (SRS) sender: one queue message each.
    // XXX: if a later enqueue fails after an earlier one succeeded, the client's retry
    // duplicates the earlier copies; a per-envelope sender in the queue would avoid it.
    auto envelopes = svc_.spf.envelopes(sender_->str(), recipients_, svc_.policy.hosted_domains(), cfg_);
    for (size_t i = 0; i < envelopes.size(); ++i) {
      queue::Message copy = i + 1 < envelopes.size() ? msg : std::move(msg);
      if (i > 0) copy.id = util::new_queue_id(), summary += " srs_copy=" + copy.id;
      copy.sender = envelopes[i].sender;
      copy.recipients = std::move(envelopes[i].recipients);
      svc_.queue.enqueue(std::move(copy)).get();
    }
  } catch (const std::exception& e) {
    log("queue write failed: " + std::string(e.what()));
    reset_transaction();
    // Out of disk (SQLite says "database or disk is full"): the client should come back.
    auto free = svc_.queue.free_space();
    if (free && *free < uint64_t(cfg_.number("queue.min_free_mb")) * 1024 * 1024 + size)
      reply(452, "4.3.1", "Insufficient system storage, try again later");
    else
      reply(451, "4.3.0", "Temporary failure writing the queue, try again later");
    return Next::Continue;
  }
  svc_.mail_queued();
  svc_.policy.message_accepted(ctx_);
  log(summary);
  reset_transaction();
  reply(250, "2.0.0", "Ok: queued as " + id);
  return outcome;
}

}  // namespace postern::smtp

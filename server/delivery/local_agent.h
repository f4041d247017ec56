// Local delivery agent: writes a queued message into the recipient's Maildir, adding the
// Return-Path and Delivered-To headers that mark the final delivery (RFC 5321 §4.4).
// Exactly once: each queued copy has a stable file name (store::copy_name). A copy queued
// before this process started may have been delivered by a run that died before it could
// record the delivery; for those the agent first looks for the copy and does not write it
// twice.
// Once a batch is durable (flush()), the IMAP side is told which users got mail, so an
// IDLE session hears of it at once.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "mailbox/notifier.h"
#include "queue/runner.h"

namespace postern::delivery {

class LocalAgent {
 public:
  explicit LocalAgent(std::string mail_root, mailbox::Notifier* notifier = nullptr);
  // Writes each file durably; the new/ directories touched are synced by flush(), which the
  // runner calls on the same thread before it records the deliveries.
  queue::Outcome deliver(const queue::Envelope& env, const std::string& body) const;
  std::vector<queue::Outcome> deliver_all(const std::vector<queue::Envelope>& envs, const std::string& body) const {
    std::vector<queue::Outcome> out;
    for (const auto& e : envs) out.push_back(deliver(e, body));
    return out;
  }
  void flush() const;

 private:
  std::string mail_root_;
  int64_t started_at_;  // envelopes received before this may have been delivered already
  mailbox::Notifier* notifier_;
};

}  // namespace postern::delivery

// Local delivery agent: writes a queued message into the recipient's Maildir, adding the
// Return-Path and Delivered-To headers that mark the final delivery (RFC 5321 §4.4).
// Once a batch is durable (flush()), the IMAP side is told which users got mail, so an
// IDLE session hears of it at once.
#pragma once
#include <string>
#include <vector>

#include "mailbox/notifier.h"
#include "queue/runner.h"

namespace postern::delivery {

class LocalAgent {
 public:
  explicit LocalAgent(std::string mail_root, mailbox::Notifier* notifier = nullptr)
      : mail_root_(std::move(mail_root)), notifier_(notifier) {}
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
  mailbox::Notifier* notifier_;
};

}  // namespace postern::delivery

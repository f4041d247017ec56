// Tells the IMAP side that a user's mail changed outside it (local delivery wrote into
// INBOX). Deliveries call notify() from queue runner threads; the IMAP server installs one
// listener, which must only hand the news to its own thread (it must not block).
// Threading: all methods are thread-safe.
#pragma once
#include <functional>
#include <mutex>
#include <string>

namespace postern::mailbox {

class Notifier {
 public:
  using Listener = std::function<void(const std::string& address_key, const std::string& folder)>;
  void set_listener(Listener l) {
    std::lock_guard<std::mutex> lock(mu_);
    listener_ = std::move(l);
  }
  void notify(const std::string& address_key, const std::string& folder) {
    std::lock_guard<std::mutex> lock(mu_);
    if (listener_) listener_(address_key, folder);
  }

 private:
  std::mutex mu_;
  Listener listener_;
};

}  // namespace postern::mailbox

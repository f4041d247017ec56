// An epoll event loop for the IMAP server: one thread waits on every connection's socket and
// calls its handler; other threads hand work to it with post(). A tick callback runs about
// once per `tick_ms` (timeouts), and defer()red work runs after each batch of events, which
// is where connections are destroyed (never in the middle of a batch).
// Errors: constructor throws std::system_error when epoll cannot be created.
// Threading: post() and stop() from any thread; everything else on the loop thread.
#pragma once
#include <cstdint>
#include <functional>
#include <mutex>
#include <vector>

namespace postern::imap {

class EventLoop {
 public:
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual void on_io(uint32_t events) = 0;
  };

  EventLoop();
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  void add(int fd, uint32_t events, Handler* h);
  void modify(int fd, uint32_t events, Handler* h);
  void remove(int fd);
  void post(std::function<void()> fn);
  void defer(std::function<void()> fn) { deferred_.push_back(std::move(fn)); }
  void run(const std::function<void()>& tick, int tick_ms);
  void stop();

 private:
  void drain_posted();
  int epoll_fd_;
  int wake_fd_;
  std::mutex mu_;
  std::vector<std::function<void()>> posted_;
  std::vector<std::function<void()>> deferred_;
  bool stopping_ = false;
};

}  // namespace postern::imap

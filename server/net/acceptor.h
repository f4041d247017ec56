// Listening sockets for every service, served by one thread that poll()s them all and
// hands each accepted connection (non-blocking fd) to a callback. The set of listeners can
// be changed while running: unchanged addresses keep their socket, so a settings reload
// never drops the port, and a failed bind leaves the other listeners up.
// Threading: update() and stop() from any thread; the callback runs on the accept thread
// and must not block.
#pragma once
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "config/snapshot.h"

namespace postern::net {

struct Endpoint {
  std::string service;  // "smtp", "submission", ...
  config::ListenAddress address;
  std::string key() const { return service + "@" + address.str(); }
};

class Acceptor {
 public:
  using Handler = std::function<void(int fd, const std::string& peer_ip, const Endpoint& endpoint)>;

  Acceptor(Handler handler, int stop_fd);
  ~Acceptor();

  // Binds new endpoints and closes removed ones. Returns one message per endpoint that
  // could not be bound (e.g. "smtp@0.0.0.0:25: Permission denied").
  std::vector<std::string> update(const std::vector<Endpoint>& endpoints);
  void start();
  void stop();  // closes every listening socket and joins the thread

 private:
  void loop();
  struct Listening {
    Endpoint endpoint;
    int fd;
  };
  Handler handler_;
  int stop_fd_;
  int wake_fd_;  // eventfd poked after update() so the loop re-reads the socket list
  std::mutex mu_;
  std::map<std::string, Listening> listening_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace postern::net

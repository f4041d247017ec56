#include "net/acceptor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "log/log.h"
#include "util/cidr.h"

namespace postern::net {

namespace {

int bind_listener(const config::ListenAddress& a, std::string& error) {
  auto ip = util::IpAddress::parse(a.host);
  if (!ip) {
    error = "not an IP address";
    return -1;
  }
  sockaddr_storage ss{};
  socklen_t len;
  if (ip->v6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(uint16_t(a.port));
    std::memcpy(&s6->sin6_addr, ip->bytes.data(), 16);
    len = sizeof *s6;
  } else {
    auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
    s4->sin_family = AF_INET;
    s4->sin_port = htons(uint16_t(a.port));
    std::memcpy(&s4->sin_addr, ip->bytes.data(), 4);
    len = sizeof *s4;
  }
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::strerror(errno);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  // "[::]:2525" and "0.0.0.0:2525" may both be configured: keep the families apart.
  if (ip->v6) ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 || ::listen(fd, 128) != 0) {
    error = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  return fd;
}

std::string peer_ip(const sockaddr_storage& ss) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (ss.ss_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&ss)->sin6_addr, buf, sizeof buf);
  else
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&ss)->sin_addr, buf, sizeof buf);
  // Report IPv4-mapped IPv6 peers in their IPv4 form, as admins write them in network.lan.
  auto parsed = util::IpAddress::parse(buf);
  return parsed ? parsed->to_string() : buf;
}

}  // namespace

Acceptor::Acceptor(Handler handler, int stop_fd)
    : handler_(std::move(handler)), stop_fd_(stop_fd), wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

Acceptor::~Acceptor() {
  stop();
  ::close(wake_fd_);
}

std::vector<std::string> Acceptor::update(const std::vector<Endpoint>& endpoints) {
  std::vector<std::string> errors;
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::map<std::string, Listening> next;
    for (const auto& ep : endpoints) {
      auto key = ep.key();
      auto it = listening_.find(key);
      if (it != listening_.end()) {
        next.emplace(key, it->second);
        listening_.erase(it);
        continue;
      }
      std::string error;
      int fd = bind_listener(ep.address, error);
      if (fd < 0) {
        errors.push_back(key + ": " + error);
        continue;
      }
      log::write(log::Service::Daemon, "-", "listening for " + ep.service + " on " + ep.address.str());
      next.emplace(key, Listening{ep, fd});
    }
    for (auto& [key, l] : listening_) {
      ::close(l.fd);
      log::write(log::Service::Daemon, "-", "stopped listening for " + key);
    }
    listening_ = std::move(next);
  }
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  return errors;
}

void Acceptor::start() { thread_ = std::thread([this] { loop(); }); }

void Acceptor::stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  uint64_t one = 1;
  (void)!::write(wake_fd_, &one, sizeof one);
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto& [key, l] : listening_) ::close(l.fd);
  listening_.clear();
}

void Acceptor::loop() {
  for (;;) {
    std::vector<pollfd> fds{{wake_fd_, POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    std::vector<Listening> order;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
      for (auto& [key, l] : listening_) {
        fds.push_back({l.fd, POLLIN, 0});
        order.push_back(l);
      }
    }
    int n = ::poll(fds.data(), fds.size(), -1);
    if (n < 0 && errno != EINTR) return;
    if (fds[1].revents & POLLIN) return;  // daemon shutdown: stop accepting at once
    if (fds[0].revents & POLLIN) {
      uint64_t v;
      (void)!::read(wake_fd_, &v, sizeof v);
      continue;  // the listener set changed; rebuild before accepting
    }
    for (size_t i = 0; i < order.size(); ++i) {
      if (!(fds[i + 2].revents & POLLIN)) continue;
      for (;;) {
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        int fd = ::accept4(order[i].fd, reinterpret_cast<sockaddr*>(&ss), &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) break;  // EAGAIN, or a transient error such as EMFILE: poll again
        handler_(fd, peer_ip(ss), order[i].endpoint);
      }
    }
  }
}

}  // namespace postern::net

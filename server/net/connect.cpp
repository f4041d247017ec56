#include "net/connect.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "util/cidr.h"

namespace postern::net {

namespace {
socklen_t make_sockaddr(const util::IpAddress& ip, int port, sockaddr_storage& ss) {
  std::memset(&ss, 0, sizeof ss);
  if (ip.v6) {
    auto* s6 = reinterpret_cast<sockaddr_in6*>(&ss);
    s6->sin6_family = AF_INET6;
    s6->sin6_port = htons(uint16_t(port));
    std::memcpy(&s6->sin6_addr, ip.bytes.data(), 16);
    return sizeof *s6;
  }
  auto* s4 = reinterpret_cast<sockaddr_in*>(&ss);
  s4->sin_family = AF_INET;
  s4->sin_port = htons(uint16_t(port));
  std::memcpy(&s4->sin_addr, ip.bytes.data(), 4);
  return sizeof *s4;
}
}  // namespace

int connect_tcp(const std::string& ip_text, int port, int timeout_ms, std::string& error, const std::string& source_ip) {
  auto ip = util::IpAddress::parse(ip_text);
  if (!ip) {
    error = "not an IP address: " + ip_text;
    return -1;
  }
  sockaddr_storage ss;
  socklen_t len = make_sockaddr(*ip, port, ss);
  int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::strerror(errno);
    return -1;
  }
  if (!source_ip.empty()) {
    auto src = util::IpAddress::parse(source_ip);
    sockaddr_storage local;
    if (src && src->v6 == ip->v6) {
      socklen_t llen = make_sockaddr(*src, 0, local);
      if (::bind(fd, reinterpret_cast<sockaddr*>(&local), llen) != 0) {
        error = std::string("bind ") + source_ip + ": " + std::strerror(errno);
        ::close(fd);
        return -1;
      }
    }
  }
  if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0 && errno != EINPROGRESS) {
    error = std::strerror(errno);
    ::close(fd);
    return -1;
  }
  struct pollfd p = {fd, POLLOUT, 0};
  int n;
  do n = ::poll(&p, 1, timeout_ms); while (n < 0 && errno == EINTR);
  if (n == 0) {
    error = "connection timed out";
    ::close(fd);
    return -1;
  }
  int soerr = 0;
  socklen_t slen = sizeof soerr;
  ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &slen);
  if (n < 0 || soerr != 0) {
    error = std::strerror(n < 0 ? errno : soerr);
    ::close(fd);
    return -1;
  }
  return fd;
}

}  // namespace postern::net

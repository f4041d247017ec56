#include "net/transport.h"

#include <algorithm>

#include <openssl/err.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>

namespace postern::net {

long long now_ms() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

Transport::Transport(int fd, int stop_fd) : fd_(fd), stop_fd_(stop_fd) {}

Transport::~Transport() {
  if (ssl_) {
    SSL_shutdown(ssl_);  // best effort close_notify; the socket is non-blocking
    SSL_free(ssl_);
  }
  ::close(fd_);
}

Transport::Wait Transport::wait_for(short events, long long deadline_ms, bool interruptible) {
  for (;;) {
    long long left = deadline_ms - now_ms();
    if (left <= 0) return Wait::Timeout;
    struct pollfd fds[2] = {{fd_, events, 0}, {stop_fd_, POLLIN, 0}};
    int n = ::poll(fds, interruptible ? 2 : 1, int(left > 60000 ? 60000 : left));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Wait::Error;
    }
    if (n == 0) continue;
    if (interruptible && (fds[1].revents & POLLIN)) return Wait::Stopped;
    if (fds[0].revents) return Wait::Ready;  // includes HUP/ERR: the read reports them
  }
}

ReadStatus Transport::fill(long long deadline_ms, bool interruptible) {
  if (pos_ > 0 && pos_ == buf_.size()) {
    buf_.clear();
    pos_ = 0;
  }
  char chunk[16384];
  // In a dialogue the next bytes are rarely there yet when we look: wait first, then read,
  // which saves a failed read per command (syscalls are costly on a small NAS CPU).
  if (!ssl_ || SSL_pending(ssl_) == 0) {
    switch (wait_for(POLLIN, deadline_ms, interruptible)) {
      case Wait::Ready: break;
      case Wait::Timeout: return ReadStatus::Timeout;
      case Wait::Stopped: return ReadStatus::Stopped;
      case Wait::Error: return ReadStatus::Error;
    }
  }
  for (;;) {
    ssize_t n;
    short want = POLLIN;
    if (ssl_) {
      ERR_clear_error();
      int r = SSL_read(ssl_, chunk, sizeof chunk);
      if (r > 0) {
        n = r;
      } else {
        int err = SSL_get_error(ssl_, r);
        if (err == SSL_ERROR_ZERO_RETURN) return ReadStatus::Closed;
        if (err == SSL_ERROR_WANT_READ) want = POLLIN;
        else if (err == SSL_ERROR_WANT_WRITE) want = POLLOUT;
        else return err == SSL_ERROR_SYSCALL ? ReadStatus::Closed : ReadStatus::Error;
        n = -1;
        errno = EAGAIN;
      }
    } else {
      n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n == 0) return ReadStatus::Closed;
    }
    if (n > 0) {
      buf_.append(chunk, size_t(n));
      return ReadStatus::Line;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return ReadStatus::Closed;
    switch (wait_for(want, deadline_ms, interruptible)) {
      case Wait::Ready: break;
      case Wait::Timeout: return ReadStatus::Timeout;
      case Wait::Stopped: return ReadStatus::Stopped;
      case Wait::Error: return ReadStatus::Error;
    }
  }
}

bool Transport::input_pending() const {
  if (has_buffered_input() || (ssl_ && SSL_pending(ssl_) > 0)) return true;
  pollfd fd{fd_, POLLIN, 0};
  return ::poll(&fd, 1, 0) > 0 && (fd.revents & POLLIN);
}

bool Transport::input_within(int ms) {
  if (input_pending()) return true;
  if (ms <= 0 || wait_for(POLLIN, now_ms() + ms, true) != Wait::Ready) return false;
  return input_pending();
}

ReadStatus Transport::read_line(std::string& out, size_t max, int timeout_ms, bool interruptible) {
  out.clear();
  long long deadline = now_ms() + timeout_ms;
  for (;;) {
    auto nl = buf_.find('\n', pos_);
    if (nl != std::string::npos && nl - pos_ + 1 <= max) {
      out.assign(buf_, pos_, nl - pos_ + 1);
      pos_ = nl + 1;
      return ReadStatus::Line;
    }
    if (buf_.size() - pos_ >= max) {
      out.assign(buf_, pos_, max);
      pos_ += max;
      return ReadStatus::Partial;
    }
    // Only wait for the shutdown signal when no partial line is pending.
    auto st = fill(deadline, interruptible && pos_ == buf_.size());
    if (st != ReadStatus::Line) return st;
  }
}

ReadStatus Transport::read_some(std::string& out, size_t max, int timeout_ms) {
  out.clear();
  if (pos_ == buf_.size()) {
    auto st = fill(now_ms() + timeout_ms, false);
    if (st != ReadStatus::Line) return st;
  }
  size_t n = std::min(max, buf_.size() - pos_);
  out.assign(buf_, pos_, n);
  pos_ += n;
  return ReadStatus::Line;
}

bool Transport::write(std::string_view data, int timeout_ms) {
  long long deadline = now_ms() + timeout_ms;
  while (!data.empty()) {
    ssize_t n;
    short want = POLLOUT;
    if (ssl_) {
      ERR_clear_error();
      int r = SSL_write(ssl_, data.data(), int(data.size()));
      if (r > 0) {
        n = r;
      } else {
        int err = SSL_get_error(ssl_, r);
        if (err == SSL_ERROR_WANT_READ) want = POLLIN;
        else if (err != SSL_ERROR_WANT_WRITE) return false;
        n = -1;
        errno = EAGAIN;
      }
    } else {
      n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
    }
    if (n > 0) {
      data.remove_prefix(size_t(n));
      continue;
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) return false;
    if (wait_for(want, deadline, false) != Wait::Ready) return false;
  }
  return true;
}

bool Transport::start_tls(SSL_CTX* ctx, int timeout_ms) {
  buf_.clear();
  pos_ = 0;
  ssl_ = SSL_new(ctx);
  if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) return false;
  return handshake(true, timeout_ms);
}

bool Transport::start_tls_client(SSL_CTX* ctx, const std::string& host, int timeout_ms) {
  buf_.clear();
  pos_ = 0;
  ssl_ = SSL_new(ctx);
  if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) return false;
  if (!host.empty()) {
    if (host.find_first_not_of("0123456789abcdefABCDEF.:") == std::string::npos && host.find_first_of(".:") != std::string::npos) {
      // An IP address: no SNI (RFC 6066 forbids it); the certificate must name the IP.
      X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl_), host.c_str());
    } else {
      SSL_set_tlsext_host_name(ssl_, host.c_str());
      SSL_set1_host(ssl_, host.c_str());
    }
  }
  return handshake(false, timeout_ms);
}

bool Transport::verified() const { return verify_error() == X509_V_OK; }

long Transport::verify_error() const {
  if (!ssl_ || !SSL_get0_peer_certificate(ssl_)) return X509_V_ERR_UNSPECIFIED;
  return SSL_get_verify_result(ssl_);
}

bool Transport::handshake(bool server, int timeout_ms) {
  long long deadline = now_ms() + timeout_ms;
  for (;;) {
    ERR_clear_error();
    int r = server ? SSL_accept(ssl_) : SSL_connect(ssl_);
    if (r == 1) return true;
    int err = SSL_get_error(ssl_, r);
    short want;
    if (err == SSL_ERROR_WANT_READ) want = POLLIN;
    else if (err == SSL_ERROR_WANT_WRITE) want = POLLOUT;
    else return false;
    // A server-side handshake is something a client can stall: let shutdown cut it short.
    if (wait_for(want, deadline, server) != Wait::Ready) return false;
  }
}

std::string Transport::tls_description() const {
  if (!ssl_) return "";
  return std::string(SSL_get_version(ssl_)) + " with cipher " + SSL_get_cipher_name(ssl_);
}

}  // namespace postern::net

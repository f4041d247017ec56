#include "imap/server/connection.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <openssl/err.h>

namespace postern::imap {

namespace {
// Input waiting for the session beyond this is left in the socket (back-pressure).
constexpr size_t kMaxBufferedInput = 256 * 1024;
}  // namespace

Connection::Connection(EventLoop& loop, int fd) : loop_(loop), fd_(fd) {
  interest_ = EPOLLIN;
  loop_.add(fd_, interest_, this);
}

Connection::~Connection() {
  if (ssl_) SSL_free(ssl_);
  if (fd_ >= 0) {
    loop_.remove(fd_);
    ::close(fd_);
  }
}

void Connection::close_now() {
  if (fd_ < 0) return;
  loop_.remove(fd_);
  ::close(fd_);
  fd_ = -1;
  on_closed();
}

void Connection::close_after_flush() {
  closing_ = true;
  if (fd_ < 0) return;
  if (pending_output() == 0 && !handshaking_) {
    close_now();
    return;
  }
  update_interest();
}

void Connection::send(std::string_view bytes) {
  if (fd_ < 0 || bytes.empty()) return;
  out_.append(bytes);
  if (!in_callback_) flush();
  update_interest();
}

void Connection::start_tls(SSL_CTX* ctx) {
  in_.clear();
  tls_pending_ = ctx;
  if (pending_output() == 0) handshake();
  update_interest();
}

void Connection::set_paused(bool paused) {
  paused_ = paused;
  update_interest();
}

void Connection::resume_input() {
  if (fd_ < 0 || paused_) return;
  if (!in_.empty()) {
    in_callback_ = true;
    on_input(in_);
    in_callback_ = false;
  }
  if (fd_ >= 0) {
    flush();
    update_interest();
  }
}

void Connection::handshake() {
  if (!ssl_) {
    ssl_ = SSL_new(tls_pending_);
    tls_pending_ = nullptr;
    if (!ssl_ || SSL_set_fd(ssl_, fd_) != 1) return close_now();
    SSL_set_mode(ssl_, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_RELEASE_BUFFERS);
    SSL_set_accept_state(ssl_);
    handshaking_ = true;
  }
  ERR_clear_error();
  int r = SSL_do_handshake(ssl_);
  if (r == 1) {
    handshaking_ = false;
    want_read_for_write_ = want_write_for_read_ = false;
    return;
  }
  int err = SSL_get_error(ssl_, r);
  if (err == SSL_ERROR_WANT_READ) want_write_for_read_ = false;
  else if (err == SSL_ERROR_WANT_WRITE) want_write_for_read_ = true;
  else close_now();
}

void Connection::on_io(uint32_t events) {
  if (fd_ < 0) return;
  if ((events & EPOLLERR) || ((events & EPOLLHUP) && paused_)) return close_now();
  in_callback_ = true;
  if (handshaking_) {
    handshake();
    if (fd_ >= 0 && !handshaking_) {
      // Output queued during the handshake (an implicit-TLS greeting) can go now.
      flush();
      read_available();
    }
  } else {
    if ((events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || want_write_for_read_) read_available();
    if (fd_ >= 0 && ((events & EPOLLOUT) || want_read_for_write_)) flush();
  }
  in_callback_ = false;
  if (fd_ >= 0) flush();
  if (fd_ >= 0 && !handshaking_ && pending_output() < kLowWater) on_drained();
  if (fd_ >= 0) update_interest();
}

void Connection::read_available() {
  if (fd_ < 0 || closing_) return;
  bool eof = false;
  char buf[16384];
  while (!paused_ && in_.size() < kMaxBufferedInput) {
    ssize_t n;
    if (ssl_) {
      ERR_clear_error();
      n = SSL_read(ssl_, buf, sizeof buf);
      if (n <= 0) {
        int err = SSL_get_error(ssl_, int(n));
        want_write_for_read_ = err == SSL_ERROR_WANT_WRITE;
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) break;
        eof = true;
        break;
      }
    } else {
      n = ::recv(fd_, buf, sizeof buf, 0);
      if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) break;
      if (n <= 0) {
        eof = true;
        break;
      }
    }
    in_.append(buf, size_t(n));
  }
  if (!in_.empty()) {
    bool was = in_callback_;
    in_callback_ = true;
    on_input(in_);
    in_callback_ = was;
    if (fd_ < 0) return;
  }
  if (eof) close_now();
}

void Connection::flush() {
  if (fd_ < 0 || handshaking_) return;
  while (pending_output() > 0) {
    size_t len = std::min<size_t>(pending_output(), 256 * 1024);
    ssize_t n;
    if (ssl_) {
      ERR_clear_error();
      n = SSL_write(ssl_, out_.data() + out_off_, int(len));
      if (n <= 0) {
        int err = SSL_get_error(ssl_, int(n));
        want_read_for_write_ = err == SSL_ERROR_WANT_READ;
        if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) break;
        return close_now();
      }
    } else {
      n = ::send(fd_, out_.data() + out_off_, len, MSG_NOSIGNAL);
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) break;
        return close_now();
      }
    }
    out_off_ += size_t(n);
  }
  if (pending_output() == 0) {
    out_.clear();
    out_off_ = 0;
    shrink();
    if (tls_pending_) {
      handshake();
      if (fd_ < 0) return;
    }
    if (closing_) return close_now();
  }
}

void Connection::shrink() {
  // An idle connection should hold almost nothing: IDLE sessions by the thousand.
  if (out_.capacity() > 16384) std::string().swap(out_);
  if (in_.empty() && in_.capacity() > 16384) std::string().swap(in_);
}

void Connection::update_interest() {
  if (fd_ < 0) return;
  uint32_t want = 0;
  if (handshaking_) {
    want = want_write_for_read_ ? EPOLLOUT : EPOLLIN;
  } else {
    if (!paused_ && !closing_ && in_.size() < kMaxBufferedInput) want |= EPOLLIN;
    if (want_write_for_read_) want |= EPOLLOUT;
    if (pending_output() > 0) want |= want_read_for_write_ ? EPOLLIN : EPOLLOUT;
  }
  if (want != interest_) {
    interest_ = want;
    loop_.modify(fd_, want, this);
  }
}

}  // namespace postern::imap

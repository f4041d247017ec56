// A non-blocking client socket on the event loop, plain or TLS (OpenSSL in non-blocking
// mode: implicit TLS from the first byte, or STARTTLS after the reply that announces it).
// Buffers input for the protocol layer and output until the socket takes it. A subclass
// (the IMAP session) gets on_input() with the bytes received so far and consumes what it
// can; it may pause reading (work in progress) and is told on_drained() when the output
// buffer has emptied below the low-water mark.
// Errors: a failed read, write or handshake closes the connection (on_closed()).
// Threading: loop thread only.
#pragma once
#include <openssl/ssl.h>

#include <string>
#include <string_view>

#include "imap/server/event_loop.h"

namespace postern::imap {

class Connection : public EventLoop::Handler {
 public:
  Connection(EventLoop& loop, int fd);
  ~Connection() override;

  void on_io(uint32_t events) override;
  void send(std::string_view bytes);
  // Plaintext output already queued is sent first, pending input is dropped (CVE-2011-0411),
  // then the server handshake starts.
  void start_tls(SSL_CTX* ctx);
  bool tls() const { return ssl_ != nullptr; }
  void set_paused(bool paused);
  bool paused() const { return paused_; }
  // Stops reading; closes once the queued output is sent.
  void close_after_flush();
  // Closes at once (the subclass's on_closed() runs).
  void close_now();
  size_t pending_output() const { return out_.size() - out_off_; }
  bool closed() const { return fd_ < 0; }
  // Feeds buffered input to the subclass again (after unpausing).
  void resume_input();

 protected:
  virtual void on_input(std::string& in) = 0;
  virtual void on_drained() {}
  virtual void on_closed() = 0;

  static constexpr size_t kLowWater = 64 * 1024;

 private:
  void read_available();
  void flush();
  void handshake();
  void update_interest();
  void shrink();

  EventLoop& loop_;
  int fd_;
  SSL* ssl_ = nullptr;
  SSL_CTX* tls_pending_ = nullptr;
  bool handshaking_ = false;
  bool want_write_for_read_ = false;
  bool want_read_for_write_ = false;
  bool paused_ = false;
  bool closing_ = false;
  bool in_callback_ = false;
  uint32_t interest_ = 0;
  std::string in_;
  std::string out_;
  size_t out_off_ = 0;
};

}  // namespace postern::imap

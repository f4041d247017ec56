// A client connection's byte stream, plain or TLS (STARTTLS upgrade or implicit), with
// line reading bounded in length and time. The socket is non-blocking; every wait is a
// poll() with a deadline that also watches a shared shutdown eventfd, so a daemon stop
// wakes sessions that are idle between commands.
// Threading: one Transport belongs to one session thread.
#pragma once
#include <openssl/ssl.h>

#include <string>
#include <string_view>

namespace postern::net {

enum class ReadStatus {
  Line,     // `out` holds one line including its LF
  Partial,  // the line is longer than `max`: `out` holds the first `max` bytes, more follows
  Timeout,
  Closed,   // peer closed (or TLS closed); `out` may hold an unterminated tail, ignored
  Stopped,  // the daemon is shutting down (only when the read was interruptible)
  Error,
};

class Transport {
 public:
  // Takes ownership of `fd`. `stop_fd` is an eventfd that becomes readable at shutdown
  // (-1 for connections that are never interrupted, like outbound ones).
  Transport(int fd, int stop_fd);
  ~Transport();
  Transport(const Transport&) = delete;
  Transport& operator=(const Transport&) = delete;

  ReadStatus read_line(std::string& out, size_t max, int timeout_ms, bool interruptible);
  bool write(std::string_view data, int timeout_ms = 60000);
  // Whatever bytes are available (buffered first, else the next that arrive), at most
  // `max`: for bodies that are not line-structured, such as an HTTP response read to its
  // end. Line when `out` got bytes; Closed at the end of the stream.
  ReadStatus read_some(std::string& out, size_t max, int timeout_ms);
  // Server-side TLS handshake. Bytes the client pipelined before it are discarded
  // (CVE-2011-0411: plaintext injected before STARTTLS must not be executed after it).
  bool start_tls(SSL_CTX* ctx, int timeout_ms);
  // Client-side TLS handshake with SNI and host name checking set up for `host`; the
  // handshake succeeds even when verification fails, so the caller decides (verified()).
  bool start_tls_client(SSL_CTX* ctx, const std::string& host, int timeout_ms);
  // Whether the peer's certificate chain and name verified (client side).
  bool verified() const;
  // Why it did not: OpenSSL's X509_V_ERR_* verification result (its first error, host name
  // check included), X509_V_ERR_UNSPECIFIED without a peer certificate, X509_V_OK if it did.
  long verify_error() const;
  bool has_buffered_input() const { return pos_ < buf_.size(); }
  // Whether the client has sent bytes not read yet: buffered here, inside TLS, or waiting
  // in the socket. Never blocks (used to detect commands sent ahead of time).
  bool input_pending() const;
  // Whether the client sends bytes within `ms` milliseconds (true at once when some are
  // already pending; false when the daemon stops meanwhile). Postfix's greet pause.
  bool input_within(int ms);
  bool tls() const { return ssl_ != nullptr; }
  std::string tls_description() const;  // "TLSv1.3 with cipher TLS_AES_256_GCM_SHA384"

 private:
  enum class Wait { Ready, Timeout, Stopped, Error };
  bool handshake(bool server, int timeout_ms);
  Wait wait_for(short events, long long deadline_ms, bool interruptible);
  // Reads more bytes into buf_; returns a ReadStatus other than Line on failure.
  ReadStatus fill(long long deadline_ms, bool interruptible);

  int fd_;
  int stop_fd_;
  SSL* ssl_ = nullptr;
  std::string buf_;
  size_t pos_ = 0;
};

long long now_ms();

}  // namespace postern::net

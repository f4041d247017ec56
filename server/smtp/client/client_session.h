// One outbound SMTP transaction (RFC 5321 client side): connect to one host, greet,
// STARTTLS (opportunistic or required) or implicit TLS, AUTH when credentials are given
// (only ever over TLS), MAIL/RCPT/DATA with PIPELINING when offered, QUIT.
// Error contract: never throws; the result tells whether the host was reached, and gives
// either a session-level reply (that applies to every recipient) or one reply per recipient.
// Threading: a call uses only its arguments; run as many in parallel as you like.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "tls/client_context.h"

namespace postern::smtp {

struct Hop {
  std::string ip;
  int port = 25;
  std::string name;  // host name: SNI, certificate check, logs (may be empty)
  enum class Tls { Opportunistic, Required, Implicit } tls = Tls::Opportunistic;
  bool verify = false;             // require a valid certificate for `name`
  std::string username, password;  // AUTH when set
};

struct ClientOptions {
  std::string helo;  // our host name
  tls::ClientContextPtr tls;
  int connect_timeout_ms = 30000;
  int command_timeout_ms = 300000;
  std::string source_ip;  // bind outbound connections here when set
};

struct ServerReply {
  int code = 0;
  std::string enhanced;
  std::string text;
  bool positive() const { return code >= 200 && code < 400; }
  bool temporary() const { return code >= 400 && code < 500; }
  std::string str() const { return std::to_string(code) + (enhanced.empty() ? "" : " " + enhanced) + " " + text; }
};

struct Transfer {
  bool reached = false;        // false: try the next host (connection refused, timeout, greeting 4xx/5xx)
  bool per_recipient = false;  // true: `recipients` holds one reply each; false: `session` applies to all
  ServerReply session;
  std::vector<ServerReply> recipients;
  std::string tls;  // "TLSv1.3 with cipher ..." when encrypted
  bool tls_verified = false;
  // Set when the session was refused because the certificate did not verify: OpenSSL's
  // X509_V_ERR_* result (0 otherwise), so TLS reports can say why (RFC 8460 §4.3).
  long tls_verify_error = 0;
};

// One connection to one host, ready for transactions after open() (greeting, EHLO, TLS,
// AUTH). Several messages to the same host can share it (connection reuse, as Postfix does).
// The destructor says QUIT when the connection is still alive.
class ClientConnection {
 public:
  // Returns null when the host cannot be used; `failure` then says why (and `reached`).
  static std::unique_ptr<ClientConnection> open(const Hop& hop, const ClientOptions& options, Transfer& failure);
  ~ClientConnection();
  ClientConnection(const ClientConnection&) = delete;
  ClientConnection& operator=(const ClientConnection&) = delete;

  // `requiretls`: pass the RFC 8689 REQUIRETLS MAIL parameter on; a server that does not
  // advertise it (or a session not under TLS) gets nothing and the result is 550 5.7.30.
  Transfer send(const std::string& sender, const std::vector<std::string>& recipients, const std::string& body,
                bool requiretls = false);
  // Alive and between transactions: another send() may follow.
  bool usable() const;

 private:
  struct State;
  ClientConnection(int fd, const ClientOptions& options);
  std::unique_ptr<State> s_;
};

// open() + send() for a single message.
Transfer send_message(const Hop& hop, const ClientOptions& options, const std::string& sender,
                      const std::vector<std::string>& recipients, const std::string& body);

// Body with dot-stuffing (RFC 5321 §4.5.2) and the terminating "." line, CRLF throughout.
std::string dot_stuff(const std::string& body);

}  // namespace postern::smtp

#include "smtp/client/client_session.h"

#include <openssl/x509.h>

#include <memory>
#include <optional>

#include "net/connect.h"
#include "net/transport.h"
#include "smtp/proto/reply_parser.h"
#include "util/base64.h"
#include "util/strings.h"

namespace postern::smtp {

namespace {

class Conversation {
 public:
  Conversation(net::Transport& io, const ClientOptions& opt) : io_(io), opt_(opt) {}

  ServerReply read() {
    // Once the connection failed, every outstanding reply fails at once: a silent server
    // must cost one timeout per attempt, not one per pipelined command.
    if (dead_) return *dead_;
    ReplyParser parser;
    std::string line;
    for (;;) {
      auto st = io_.read_line(line, 4096, opt_.command_timeout_ms, false);
      if (st != net::ReadStatus::Line) {
        dead_ = ServerReply{421, "4.4.2",
                            st == net::ReadStatus::Timeout ? "timeout waiting for the server" : "connection lost"};
        return *dead_;
      }
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      auto step = parser.feed(line);
      if (step == ReplyParser::Step::Malformed) {
        dead_ = ServerReply{421, "4.5.0", "malformed reply: " + line.substr(0, 100)};
        return *dead_;
      }
      if (step == ReplyParser::Step::Done) {
        const auto& r = parser.reply();
        last_lines_ = r.lines;
        return {r.code, r.enhanced, r.lines.empty() ? "" : r.lines.back()};
      }
    }
  }

  bool send(const std::string& data) {
    if (dead_) return false;
    if (io_.write(data, opt_.command_timeout_ms)) return true;
    dead_ = ServerReply{421, "4.4.2", "connection lost"};
    return false;
  }

  ServerReply command(const std::string& line) {
    if (!send(line + "\r\n")) return *dead_;
    return read();
  }

  const std::vector<std::string>& last_lines() const { return last_lines_; }
  bool alive() const { return !dead_; }
  // Sends and reads the reply, ignoring it (the end of a DATA nobody wanted).
  void read_after(const std::string& data) {
    if (send(data)) read();
  }

 private:
  net::Transport& io_;
  const ClientOptions& opt_;
  std::vector<std::string> last_lines_;
  std::optional<ServerReply> dead_;
};

struct Extensions {
  bool starttls = false, pipelining = false, eightbit = false, smtputf8 = false, auth_plain = false, auth_login = false,
       requiretls = false;
};

Extensions parse_ehlo(const std::vector<std::string>& lines) {
  Extensions e;
  for (size_t i = 1; i < lines.size(); ++i) {
    auto words = util::split_list(lines[i], ' ');
    if (words.empty()) continue;
    auto kw = util::to_upper(words[0]);
    if (kw == "STARTTLS")
      e.starttls = true;
    else if (kw == "PIPELINING")
      e.pipelining = true;
    else if (kw == "8BITMIME")
      e.eightbit = true;
    else if (kw == "SMTPUTF8")
      e.smtputf8 = true;
    else if (kw == "REQUIRETLS")
      e.requiretls = true;
    else if (kw == "AUTH") {
      for (size_t w = 1; w < words.size(); ++w) {
        auto m = util::to_upper(words[w]);
        if (m == "PLAIN") e.auth_plain = true;
        if (m == "LOGIN") e.auth_login = true;
      }
    }
  }
  return e;
}

bool has_8bit(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80) return true;
  return false;
}

Transfer fail(Transfer t, int code, const std::string& enhanced, const std::string& text) {
  t.per_recipient = false;
  t.session = {code, enhanced, text};
  return t;
}

}  // namespace

std::string dot_stuff(const std::string& body) {
  std::string out;
  out.reserve(body.size() + body.size() / 50 + 8);
  bool line_start = true;
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (line_start && c == '.') out += '.';
    out += c;
    line_start = c == '\n';
  }
  if (!out.empty() && out.back() != '\n') out += "\r\n";
  out += ".\r\n";
  return out;
}

struct ClientConnection::State {
  State(int fd, const ClientOptions& opt) : options(opt), io(fd, -1), c(io, options) {}
  ClientOptions options;
  net::Transport io;
  Conversation c;
  Extensions ext;
  std::string where;
  Transfer transfer_template;  // reached + TLS facts, copied into every transfer
  bool clean = true;           // ready for another MAIL
};

ClientConnection::ClientConnection(int fd, const ClientOptions& opt) : s_(std::make_unique<State>(fd, opt)) {}

ClientConnection::~ClientConnection() {
  if (s_->c.alive()) s_->c.command("QUIT");
}

bool ClientConnection::usable() const { return s_->clean && s_->c.alive(); }

std::unique_ptr<ClientConnection> ClientConnection::open(const Hop& hop, const ClientOptions& opt, Transfer& t) {
  t = Transfer();
  // On every refusal the connection (if any) is dropped; its destructor says QUIT.
  auto refuse = [&](int code, const std::string& enhanced, const std::string& text) {
    t = fail(t, code, enhanced, text);
    return std::unique_ptr<ClientConnection>();
  };
  std::string error;
  int fd = net::connect_tcp(hop.ip, hop.port, opt.connect_timeout_ms, error, opt.source_ip);
  if (fd < 0)
    return refuse(451, "4.4.1", "cannot connect to " + hop.ip + ":" + std::to_string(hop.port) + ": " + error);
  std::unique_ptr<ClientConnection> conn(new ClientConnection(fd, opt));
  net::Transport& io = conn->s_->io;
  Conversation& c = conn->s_->c;
  Extensions& ext = conn->s_->ext;
  auto where = (hop.name.empty() ? hop.ip : hop.name) + "[" + hop.ip + "]:" + std::to_string(hop.port);
  conn->s_->where = where;
  auto refuse_certificate = [&] {
    t.tls_verify_error = conn->s_->io.verify_error();
    return refuse(451, "4.7.5",
                  "certificate of " + where + " did not verify: " + X509_verify_cert_error_string(t.tls_verify_error));
  };

  if (hop.tls == Hop::Tls::Implicit) {
    if (!opt.tls || !io.start_tls_client(opt.tls->raw(), hop.name, opt.command_timeout_ms))
      return refuse(451, "4.7.5", "TLS handshake failed with " + where);
    if (hop.verify && !io.verified()) return refuse_certificate();
    t.tls = io.tls_description();
    t.tls_verified = io.verified();
  }
  auto greeting = c.read();
  if (greeting.code != 220)
    return refuse(greeting.code >= 500 ? 451 : greeting.code, "4.4.0", where + " greeted with: " + greeting.str());
  t.reached = true;

  auto ehlo = c.command("EHLO " + opt.helo);
  if (ehlo.code == 250) {
    ext = parse_ehlo(c.last_lines());
  } else {
    auto helo = c.command("HELO " + opt.helo);
    if (helo.code != 250)
      return refuse(helo.temporary() ? helo.code : 550, helo.enhanced, where + " refused HELO: " + helo.str());
  }
  if (!io.tls() && hop.tls != Hop::Tls::Implicit) {
    if (ext.starttls && opt.tls) {
      auto r = c.command("STARTTLS");
      if (r.code == 220) {
        if (!io.start_tls_client(opt.tls->raw(), hop.name, opt.command_timeout_ms))
          return refuse(451, "4.7.5", "TLS handshake failed with " + where);
        if (hop.verify && !io.verified()) return refuse_certificate();
        t.tls = io.tls_description();
        t.tls_verified = io.verified();
        auto again = c.command("EHLO " + opt.helo);
        if (again.code != 250) return refuse(451, "4.5.0", where + " refused EHLO after STARTTLS: " + again.str());
        ext = parse_ehlo(c.last_lines());
      } else if (hop.tls == Hop::Tls::Required) {
        return refuse(451, "4.7.4", where + " refused STARTTLS: " + r.str());
      }
    } else if (hop.tls == Hop::Tls::Required) {
      return refuse(451, "4.7.4", where + " does not offer STARTTLS, which this route requires");
    }
  }
  if (!hop.username.empty()) {
    // Credentials never travel in clear, whatever the route says.
    if (!io.tls()) return refuse(451, "4.7.4", "refusing to send credentials to " + where + " without TLS");
    ServerReply r;
    if (ext.auth_plain) {
      r = c.command("AUTH PLAIN " + util::base64_encode(std::string(1, '\0') + hop.username + '\0' + hop.password));
    } else if (ext.auth_login) {
      r = c.command("AUTH LOGIN " + util::base64_encode(hop.username));
      if (r.code == 334) r = c.command(util::base64_encode(hop.password));
    } else {
      return refuse(451, "4.7.4", where + " offers no AUTH mechanism we support");
    }
    // A credentials problem is the admin's to fix: defer rather than bounce the mail.
    if (r.code != 235) return refuse(451, "4.7.8", where + " refused our credentials: " + r.str());
  }
  conn->s_->transfer_template = t;
  return conn;
}

Transfer ClientConnection::send(const std::string& sender, const std::vector<std::string>& recipients,
                                const std::string& body, bool requiretls) {
  Transfer t = s_->transfer_template;
  Conversation& c = s_->c;
  const Extensions& ext = s_->ext;
  const std::string& where = s_->where;
  s_->clean = false;
  bool eight = has_8bit(body) || has_8bit(sender);
  bool utf8 = has_8bit(sender);
  for (const auto& r : recipients) utf8 |= has_8bit(r);
  if (utf8 && !ext.smtputf8) {
    s_->clean = true;  // nothing was sent
    return fail(t, 553, "5.6.7", where + " does not support SMTPUTF8, which the addresses need");
  }
  if (requiretls && !(ext.requiretls && s_->io.tls())) {
    s_->clean = true;  // nothing was sent
    return fail(t, 550, "5.7.30", where + " does not support REQUIRETLS, which the message requires");
  }
  std::string mail = "MAIL FROM:<" + sender + ">";
  if (eight && ext.eightbit) mail += " BODY=8BITMIME";
  if (utf8) mail += " SMTPUTF8";
  if (requiretls) mail += " REQUIRETLS";

  std::vector<std::string> lines{mail};
  for (const auto& r : recipients) lines.push_back("RCPT TO:<" + r + ">");
  lines.push_back("DATA");
  std::vector<ServerReply> replies;
  if (ext.pipelining) {
    std::string batch;
    for (const auto& l : lines) batch += l + "\r\n";
    if (!c.send(batch)) return fail(t, 451, "4.4.2", "connection to " + where + " lost");
    for (size_t i = 0; i < lines.size(); ++i) replies.push_back(c.read());
  } else {
    for (size_t i = 0; i < lines.size(); ++i) {
      replies.push_back(c.command(lines[i]));
      if (i == 0 && !replies[0].positive()) break;
      if (i == lines.size() - 2) {  // all RCPTs sent: DATA only if one was accepted
        bool any = false;
        for (size_t k = 1; k < replies.size(); ++k) any |= replies[k].positive();
        if (!any) break;
      }
    }
  }
  const auto& mail_reply = replies[0];
  if (!mail_reply.positive()) {
    if (ext.pipelining && replies.back().code == 354) c.read_after(".\r\n");
    s_->clean = c.alive() && c.command("RSET").code == 250;
    return fail(t, mail_reply.code, mail_reply.enhanced, mail_reply.text);
  }
  t.per_recipient = true;
  bool any_accepted = false;
  for (size_t i = 0; i < recipients.size(); ++i) {
    ServerReply r = i + 1 < replies.size() ? replies[i + 1] : ServerReply{421, "4.4.2", "no reply"};
    if (r.positive()) any_accepted = true;
    t.recipients.push_back(r);
  }
  if (!any_accepted) {
    if (replies.size() == lines.size() && replies.back().code == 354) c.read_after(".\r\n");  // RFC 2920 §3.1
    s_->clean = c.alive() && c.command("RSET").code == 250;
    return t;
  }
  ServerReply data = replies.size() == lines.size() ? replies.back() : ServerReply{421, "4.4.2", "no reply to DATA"};
  ServerReply final_reply = data;
  if (data.code == 354) {
    if (!c.send(dot_stuff(body)))
      final_reply = {421, "4.4.2", "connection lost during DATA"};
    else
      final_reply = c.read();
  }
  for (auto& r : t.recipients)
    if (r.positive()) r = final_reply;
  // After a completed transaction the next MAIL may follow at once; after a refused one,
  // RSET first so the server's state is known.
  s_->clean = c.alive() && (final_reply.code == 250 || c.command("RSET").code == 250);
  return t;
}

Transfer send_message(const Hop& hop, const ClientOptions& options, const std::string& sender,
                      const std::vector<std::string>& recipients, const std::string& body) {
  Transfer t;
  auto conn = ClientConnection::open(hop, options, t);
  return conn ? conn->send(sender, recipients, body) : t;
}

}  // namespace postern::smtp

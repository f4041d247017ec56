// One SMTP session (RFC 5321) on one connection, from greeting to QUIT. The session owns
// protocol state only; every decision goes to policy::Engine, credentials to
// auth::Verifier, accepted mail to queue::QueueStore. Each command has its own file under
// commands/; gating by state happens once, in dispatch(), from the command table.
// Error contract: run() never throws; an unexpected exception ends the session with
// "421 4.3.0" and a log line.
#pragma once
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "auth/verifier.h"
#include "config/snapshot.h"
#include "dkim/submission_signer.h"
#include "mail/address.h"
#include "net/acceptor.h"
#include "net/transport.h"
#include "policy/engine.h"
#include "queue/queue_store.h"
#include "smtp/proto/command.h"
#include "smtp/proto/reply.h"
#include "smtp/server/data_budget.h"
#include "spf/gate.h"
#include "tls/server_context.h"

namespace postern::smtp {

struct Services {
  policy::Engine& policy;
  auth::Verifier& verifier;
  queue::QueueStore& queue;
  DataBudget& budget;
  spf::Gate& spf;
  std::function<void()> mail_queued;  // wakes the queue runner
  const dkim::SubmissionSigner* dkim = nullptr;  // signs our users' mail (dkim.sign); may be null
};

struct SessionSetup {
  config::SnapshotPtr config;
  tls::ServerContextPtr tls;  // may be null when no certificate could be loaded
  net::Endpoint endpoint;
  std::string peer_ip;
  std::string id;  // session id for logs
};

class Session {
 public:
  Session(net::Transport& transport, Services services, SessionSetup setup);
  void run();

 private:
  enum class Next { Continue, Close };
  Next dispatch(const Command& cmd);

  // Command handlers, one file each in commands/.
  Next cmd_helo(const Command& cmd, bool extended);
  Next cmd_starttls(const Command& cmd);
  Next cmd_auth(const Command& cmd);
  Next cmd_mail(const Command& cmd);
  Next cmd_rcpt(const Command& cmd);
  Next cmd_data(const Command& cmd);
  Next cmd_simple(const Command& cmd);  // RSET NOOP QUIT VRFY EXPN ETRN HELP

  void reply(int code, const std::string& enhanced, const std::string& text);
  void reply(const Reply& r);
  bool flush();
  // Counts a protocol error; returns Close when the session has made too many.
  Next error(int code, const std::string& enhanced, const std::string& text);
  // Answers a policy refusal; Close when the verdict ends the session.
  Next refuse(const policy::Verdict& v);
  void reset_transaction();
  bool auth_offered() const;
  bool auth_on_mx_refused() const;  // ACC-3: security.mx_auth on the smtp listener
  std::string hostname() const;
  std::string postmaster_domain() const;
  std::string protocol_name() const;  // SMTP / ESMTP / ESMTPS / ESMTPSA (RFC 3848)
  // Reads one client line for a SASL exchange; nullopt when the session must end.
  std::optional<std::string> read_auth_line();
  void log(const std::string& text) const;

  net::Transport& io_;
  Services svc_;
  SessionSetup setup_;
  const config::Snapshot& cfg_;
  policy::Context ctx_;  // what policy knows about this session and its transaction
  policy::SessionFacts& facts_ = ctx_.facts;
  std::string& helo_ = ctx_.helo;  // shared with policy, so the HELO name lives once
  bool& esmtp_ = ctx_.esmtp;
  std::string out_;  // replies waiting to be flushed (PIPELINING)

  int errors_ = 0;
  std::optional<mail::Address> sender_;
  bool smtputf8_ = false;
  bool requiretls_ = false;  // MAIL carried REQUIRETLS (RFC 8689)
  std::vector<mail::RoutedRecipient> recipients_;
  size_t accepted_rcpts_ = 0;
  std::string last_rcpt_;
  bool closing_ = false;
};

}  // namespace postern::smtp

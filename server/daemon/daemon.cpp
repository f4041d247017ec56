#include "daemon/daemon.h"

#include <malloc.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <thread>

#include <Poco/Runnable.h>
#include <Poco/ThreadPool.h>

#include "admin/admin.h"
#include "auth/password.h"
#include "auth/verifier.h"
#include "config/registry.h"
#include "daemon/data_dir.h"
#include "daemon/dns_next_hop.h"
#include "daemon/dns_service.h"
#include "daemon/spf_check.h"
#include "daemon/tls_reports.h"
#include "dkim/submission_signer.h"
#include "daemon/sts_service.h"
#include "delivery/local_agent.h"
#include "delivery/remote_agent.h"
#include "imap/server/server.h"
#include "mailbox/notifier.h"
#include "mail/address.h"
#include "queue/dsn.h"
#include "tls/client_context.h"
#include "log/log.h"
#include "net/acceptor.h"
#include "policy/engine.h"
#include "queue/queue_store.h"
#include "queue/runner.h"
#include "smtp/server/session.h"
#include "spf/cache.h"
#include "spf/gate.h"
#include "spf/srs.h"
#include "store/directory.h"
#include "store/access_tables.h"
#include "store/relay_tables.h"
#include "store/settings_store.h"
#include "tls/certificate.h"
#include "tls/certificate_store.h"
#include "tls/server_context.h"
#include "tlsrpt/recorder.h"
#include "util/cidr.h"
#include "util/random.h"
#include "webapp-api/api.h"
#include "webapp-api/http_server.h"

namespace postern::daemon {

namespace {

const char* kServices[] = {"smtp", "submission", "submissions", "imap", "imaps"};

// Tracks live sessions so shutdown can wait for them and the connection cap can be enforced.
class SessionCounter {
 public:
  bool try_enter(long long limit) {
    std::lock_guard<std::mutex> lock(mu_);
    if (active_ >= limit) return false;
    ++active_;
    return true;
  }
  void leave() {
    std::lock_guard<std::mutex> lock(mu_);
    --active_;
    cv_.notify_all();
  }
  long long active() {
    std::lock_guard<std::mutex> lock(mu_);
    return active_;
  }
  bool wait_idle(std::chrono::seconds limit) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, limit, [&] { return active_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  long long active_ = 0;
};

// A session handed to the thread pool; it deletes itself when the session is over.
class SessionJob : public Poco::Runnable {
 public:
  explicit SessionJob(std::function<void()> body) : body_(std::move(body)) {}
  void run() override {
    body_();
    delete this;
  }

 private:
  std::function<void()> body_;
};

class Server {
 public:
  explicit Server(const DataDir& dir)
      : dir_(dir),
        settings_(dir.main_db()),
        directory_(dir.main_db()),
        relay_tables_(dir.main_db()),
        access_tables_(dir.main_db()),
        queue_(dir.queue()),
        local_(dir.mail(), &notifier_),
        verifier_(directory_),
        policy_(directory_, relay_tables_, access_tables_, dns_),
        stop_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
        remote_(resolver_, relay_tables_, [this] { return current(); }, [this] { return client_tls(); }, &sts_),
        runner_(queue_,
                {{queue::Route::Local, {[this](const auto& envs, const std::string& b) { return local_.deliver_all(envs, b); },
                                        [this] { local_.flush(); },
                                        {}}},
                 {queue::Route::Remote, {[this](const auto& envs, const std::string& b) { return remote_.deliver(envs, b); },
                                         {},
                                         [this] { remote_.close_idle(); }}}},
                [this](const queue::Envelope& first, const std::vector<queue::FailedRecipient>& failed,
                       const std::string& body, bool delayed) { bounce(first, failed, body, delayed); },
                4),
        acceptor_([this](int fd, const std::string& ip, const net::Endpoint& ep) { on_connection(fd, ip, ep); }, stop_fd_),
        imap_({verifier_, notifier_, dir.mail(), [this] { return current(); }, [this] { return certificates_.modern(); }}),
        admin_(settings_, directory_, relay_tables_, queue_, {dir.tls(), dir.logs(), dir.dkim()},
               {[this] { runner_.rescan(); }, [this] { certificate_changed_ = true; },
                [this](const std::string& day) { return tls_reports_.send(day, true); }},
               {&access_tables_, &spf_cache_}),
        api_({admin_, [this] { return current(); },
              [this] { return webapi::LiveStatus{sessions_.active(), started_at_, policy_.stats().snapshot()}; }}),
        http_(api_) {
    for (auto& check : spf_checks(spf_, policy_)) policy_.add_check(std::move(check));
    remote_.set_tls_report([this](const tlsrpt::Outcome& o) {
      if (current()->flag("tlsrpt.enabled")) tls_reports_.recorder().record(o);
    });
  }

  ~Server() { ::close(stop_fd_); }

  int run() {
    ensure_admin_password();
    config_ = load_snapshot();
    reload_tls(*config_);
    reload_dns(*config_);
    runner_.set_policy(retry_policy(*config_));
    if (!apply_listeners(*config_)) {
      log::write(log::Service::Daemon, "-", "fatal: no SMTP listener could be opened; check the *.listen settings");
      return 1;
    }
    start_admin_panel(*config_);
    runner_.start();
    imap_.start();
    acceptor_.start();
    log::write(log::Service::Daemon, "-", "postern started, data folder " + dir_.root);

    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    for (int tick_count = 1;; ++tick_count) {
      timespec tick{1, 0};
      int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig == SIGTERM || sig == SIGINT) break;
      if (tick_count % 3600 == 1) daily_tls_reports();
      // Give memory freed after a burst back to the system, so an idle NAS sees an idle daemon.
      if (tick_count % 30 == 0) {
        session_threads_.collect();  // threads idle for a while exit, with their stacks
        malloc_trim(0);
      }
      if (tick_count % 86400 == 0) warn_if_certificate_expiring();
      try {
        bool certificate_changed = certificate_changed_.exchange(false);
        if (sig == SIGHUP || settings_.serial() != config_->serial()) {
          reload(certificate_changed);
        } else if (certificate_changed) {
          reload_tls(*current());
        }
      } catch (const std::exception& e) {
        log::write(log::Service::Daemon, "-", std::string("settings reload failed, keeping the old ones: ") + e.what());
      }
    }
    shutdown();
    return 0;
  }

 private:
  config::SnapshotPtr load_snapshot() {
    auto serial = settings_.serial();
    return std::make_shared<const config::Snapshot>(settings_.load(), serial);
  }

  config::SnapshotPtr current() {
    std::lock_guard<std::mutex> lock(mu_);
    return config_;
  }

  tls::ClientContextPtr client_tls() {
    std::lock_guard<std::mutex> lock(mu_);
    if (!client_tls_) {
      try {
        client_tls_ = std::make_shared<const tls::ClientContext>(config_->text("tls.ca_file"));
      } catch (const std::exception& e) {
        log::write(log::Service::Daemon, "-", std::string("outbound TLS unavailable: ") + e.what());
      }
    }
    return client_tls_;
  }

  static queue::RetryPolicy retry_policy(const config::Snapshot& cfg) {
    queue::RetryPolicy p;
    p.min_backoff_s = cfg.number("queue.retry_min_s");
    p.max_backoff_s = cfg.number("queue.retry_max_s");
    p.max_lifetime_s = cfg.seconds("queue.lifetime");
    p.delay_warning_s = cfg.seconds("queue.delay_warning");
    p.per_destination = int(cfg.number("delivery.per_destination_concurrency"));
    p.connection_reuse_s = cfg.number("delivery.connection_reuse_s");
    return p;
  }

  // Queues an RFC 3464 report to the sender of a message some of whose recipients failed.
  void bounce(const queue::Envelope& first, const std::vector<queue::FailedRecipient>& failed, const std::string& body,
              bool delayed) {
    auto cfg = current();
    auto sender = mail::Address::parse(first.sender, true);
    if (!sender) return;
    queue::Message dsn;
    dsn.id = util::new_queue_id();
    dsn.sender = "";  // the null sender: a bounce never bounces
    dsn.client_ip = "127.0.0.1";
    dsn.helo = "localhost";
    dsn.recipients = policy_.route_system_mail(*sender, *cfg);
    if (dsn.recipients.empty()) {
      log::write(log::Service::Delivery, first.message_id, "no bounce: sender <" + first.sender + "> is an unknown local address");
      return;
    }
    queue::BounceInput in;
    in.delayed = delayed;
    in.reporting_host = cfg->host_name();
    in.queue_id = first.message_id;
    in.original_sender = first.sender;
    in.arrival = std::time_t(first.received_at);
    in.failed = failed;
    in.original_message = body;
    dsn.body = queue::build_dsn(in, dsn.id + "@" + cfg->host_name(), std::time(nullptr));
    std::string dsn_id = dsn.id;
    queue_.enqueue(std::move(dsn)).get();
    log::write(log::Service::Delivery, first.message_id,
               std::string(delayed ? "delay warning" : "bounce") + " queued as " + dsn_id + " to <" + first.sender + ">");
    runner_.notify();
  }

  // TLS-4: yesterday's reports, checked hourly so a DNS failure is retried; the reporter
  // skips domains already reported. Runs beside the main loop: lookups may take seconds.
  // XXX: RFC 8460 §5 suggests a random delay after midnight; reports go within the hour.
  void daily_tls_reports() {
    if (!current()->flag("tlsrpt.enabled") || report_running_) return;
    if (report_thread_.joinable()) report_thread_.join();
    report_running_ = true;
    report_thread_ = std::thread([this] {
      try {
        std::time_t now = std::time(nullptr);
        tls_reports_.send(tlsrpt::utc_day(now - 86400), false);
        tls_reports_.recorder().prune(tlsrpt::utc_day(now), 8);
      } catch (const std::exception& e) {
        log::write(log::Service::Delivery, "-", std::string("TLS reports not sent: ") + e.what());
      }
      report_running_ = false;
    });
  }

  void ensure_admin_password() {
    if (directory_.has_admin_password()) return;
    std::string password = util::random_password(16);
    directory_.set_admin_password(auth::hash_password(password));
    // Printed once, to the terminal only: the log files never see it.
    std::printf("postern: first start. Admin user 'admin', password: %s\n"
                "postern: change it with: postern admin --data-dir %s passwd --password-stdin\n",
                password.c_str(), dir_.root.c_str());
    std::fflush(stdout);
  }

  // Loads the configured (or generated) certificate into the store; on failure the one in
  // force stays. New sessions and admin handshakes take the new one; open sessions keep theirs.
  void reload_tls(const config::Snapshot& cfg) {
    try {
      std::string cert = cfg.text("tls.cert_file"), key = cfg.text("tls.key_file");
      if (cert.empty()) {
        auto paths = tls::ensure_self_signed(dir_.tls(), cfg.host_name());
        cert = paths.cert;
        key = paths.key;
      }
      certificates_.load(cert, key, cfg.text("tls.min_version"));
      if (auto info = certificates_.info())
        log::write(log::Service::Daemon, "-", "TLS certificate " + info->subject + ", expires " + info->not_after);
      warn_if_certificate_expiring();
    } catch (const std::exception& e) {
      log::write(log::Service::Daemon, "-", std::string("TLS certificate not loaded, keeping the previous one: ") + e.what());
    }
    // The outbound context (with the system's CA bundle, ~2 MB parsed) is built on first
    // use: many boxes only ever deliver locally.
    std::lock_guard<std::mutex> lock(mu_);
    client_tls_.reset();
  }

  // At each load (so at start) and once a day: the admin must replace it before it expires.
  void warn_if_certificate_expiring() {
    auto info = certificates_.info();
    if (!info) return;
    if (auto warning = tls::expiry_warning(*info, std::time(nullptr)))
      log::write(log::Service::Daemon, "-", "warning: " + *warning);
  }

  void reload_dns(const config::Snapshot& cfg) {
    try {
      dns_.configure(cfg);
      log::write(log::Service::Daemon, "-", "DNS: " + dns_.description());
    } catch (const std::exception& e) {
      log::write(log::Service::Daemon, "-", std::string("DNS settings not applied: ") + e.what());
    }
  }

  // Returns false when listeners were configured and none of them could be bound.
  bool apply_listeners(const config::Snapshot& cfg) {
    std::vector<net::Endpoint> eps;
    for (const char* service : kServices)
      for (const auto& a : cfg.listeners(std::string(service) + ".listen")) eps.push_back({service, a});
    auto errors = acceptor_.update(eps);
    for (const auto& err : errors) log::write(log::Service::Daemon, "-", "cannot listen on " + err);
    return eps.empty() || errors.size() < eps.size();
  }

  // `certificate_changed`: the admin replaced the certificate files (same paths, new content).
  void reload(bool certificate_changed = false) {
    auto next = load_snapshot();
    auto prev = current();
    log::set_max_bytes(size_t(next->number("log.max_size_mb")) << 20);
    bool tls_changed = certificate_changed;
    for (const char* key : {"tls.cert_file", "tls.key_file", "tls.min_version", "smtp.hostname", "tls.ca_file"})
      tls_changed |= next->text(key) != prev->text(key);
    bool had_certificate = certificates_.modern() != nullptr;
    if (tls_changed) reload_tls(*next);
    bool dns_changed = false;
    for (const char* key : {"dns.nameservers", "dns.timeout_s", "dns.cache_max_entries", "dns.dnssec_trust_anchor"})
      dns_changed |= next->text(key) != prev->text(key);
    if (dns_changed) reload_dns(*next);
    runner_.set_policy(retry_policy(*next));
    {
      std::lock_guard<std::mutex> lock(mu_);
      config_ = next;
    }
    apply_listeners(*next);
    // A new certificate needs no restart of the admin web server (CertificateStore::attach),
    // unless it had none to start HTTPS with.
    bool admin_changed = !had_certificate && certificates_.modern();
    for (const char* key : {"admin.listen", "admin.plain_http_listen", "admin.max_body_kb", "mta_sts_publish.listen"})
      admin_changed |= next->text(key) != prev->text(key);
    if (admin_changed) start_admin_panel(*next);
    log::write(log::Service::Daemon, "-", "settings reloaded (serial " + std::to_string(next->serial()) + ")");
  }

  // (Re)starts the admin panel's web server; the old one stops first (its sessions are kept,
  // requests in flight are cut: only listener changes get here).
  void start_admin_panel(const config::Snapshot& cfg) {
    webapi::ServerOptions options;
    options.https = cfg.listeners("admin.listen");
    options.plain = cfg.listeners("admin.plain_http_listen");
    options.policy_only = cfg.listeners("mta_sts_publish.listen");
    options.certificates = &certificates_;
    options.max_body_bytes = size_t(cfg.number("admin.max_body_kb")) * 1024;
    // The applet's files sit beside the program in the package: libexec/postern, share/ui/.
    std::error_code ec;
    auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) options.ui_dir = (exe.parent_path().parent_path() / "share" / "ui").string();
    for (const auto& problem : http_.start(options)) log::write(log::Service::Daemon, "-", problem);
  }

  void on_connection(int fd, const std::string& ip, const net::Endpoint& ep) {
    if (ep.service == "imap" || ep.service == "imaps") return imap_.accept(fd, ip, ep.service == "imaps");
    auto cfg = current();
    if (!sessions_.try_enter(cfg->number("smtp.max_connections"))) {
      static const char busy[] = "421 4.7.0 Too many connections, try again later\r\n";
      (void)!::send(fd, busy, sizeof busy - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      ::close(fd);
      log::write(log::Service::Smtp, "-", "refused [" + ip + "]: connection limit reached");
      return;
    }
    // Old scanners and printers: TLS 1.0/1.1 only where the admin allowed it, on submission,
    // and only for the LAN (the address is known before the handshake).
    bool submission = ep.service == "submission" || ep.service == "submissions";
    bool legacy = submission && cfg->flag("tls.legacy_lan_submission") &&
                  util::any_contains(cfg->lan(), util::IpAddress::parse(ip).value_or(util::IpAddress{}));
    tls::ServerContextPtr tls = legacy ? certificates_.legacy() : certificates_.modern();
    std::string id = "S" + util::new_queue_id().substr(5);
    auto* job = new SessionJob([this, fd, ip, ep, cfg, tls, id] {
      {
        net::Transport transport(fd, stop_fd_);
        bool ready = true;
        if (ep.service == "submissions") {
          ready = tls && transport.start_tls(tls->raw(), 30000);
          if (!ready) log::write(log::Service::Smtp, id, "TLS handshake failed with [" + ip + "]");
        }
        if (ready) {
          smtp::Services svc{policy_, verifier_, queue_, data_budget_, spf_, [this] { runner_.notify(); },
                             &submission_signer_};
          smtp::Session(transport, svc, {cfg, tls, ep, ip, id}).run();
        }
      }
      sessions_.leave();
    });
    try {
      session_threads_.start(*job);
    } catch (const std::exception& e) {
      delete job;
      ::close(fd);
      sessions_.leave();
      log::write(log::Service::Smtp, id, std::string("cannot start session: ") + e.what());
    }
  }

  void shutdown() {
    log::write(log::Service::Daemon, "-", "stopping: no new connections, finishing sessions");
    uint64_t one = 1;
    (void)!::write(stop_fd_, &one, sizeof one);
    acceptor_.stop();
    http_.stop();
    imap_.stop();
    if (!sessions_.wait_idle(std::chrono::seconds(60))) {
      // Only a client stalling in the middle of a message can get here. Everything that was
      // acknowledged is committed, so leaving now loses nothing; waiting longer would let
      // any stranger hold the NAS's package stop hostage.
      log::write(log::Service::Daemon, "-", "sessions still open after 60 s; exiting without them");
      std::_Exit(0);
    }
    if (report_thread_.joinable()) report_thread_.join();
    runner_.stop();
    // Group commit at work: how many queue writes shared each fsync'd commit.
    log::write(log::Service::Daemon, "-",
               "queue writer: " + std::to_string(queue_.writer().jobs()) + " writes in " +
                   std::to_string(queue_.writer().batches()) + " commits");
    log::write(log::Service::Daemon, "-", "policy refusals since start: " + policy_.stats().summary());
    log::write(log::Service::Daemon, "-", "postern stopped");
  }

  DataDir dir_;
  store::SettingsStore settings_;
  store::Directory directory_;
  store::RelayTables relay_tables_;
  store::AccessTables access_tables_;
  queue::QueueStore queue_;
  mailbox::Notifier notifier_;
  delivery::LocalAgent local_;
  DnsService dns_;
  DnsNextHop resolver_{dns_};
  spf::Cache spf_cache_{dir_.spf_cache()};
  spf::Srs srs_{spf::load_or_create_secret(dir_.srs_key())};
  spf::Gate spf_{dns_, &spf_cache_, &srs_};
  auth::Verifier verifier_;
  policy::Engine policy_;
  dkim::Signer dkim_signer_;
  dkim::KeyStore dkim_keys_{dir_.dkim()};
  dkim::SubmissionSigner submission_signer_{dkim_keys_, dkim_signer_};
  TlsReports tls_reports_{dir_, dns_, policy_, directory_, queue_, dkim_signer_, [this] { return current(); },
                          [this] { runner_.notify(); }};
  std::thread report_thread_;
  std::atomic<bool> report_running_{false};
  int stop_fd_;
  StsService sts_{dns_, dir_.mta_sts_cache(), [this] { return current(); }, [this] { return client_tls(); }};
  delivery::RemoteAgent remote_;
  queue::Runner runner_;
  net::Acceptor acceptor_;
  imap::Server imap_;
  SessionCounter sessions_;
  smtp::DataBudget data_budget_;
  // XXX: one thread per SMTP session (bounded by smtp.max_connections); reused across
  // connections so a burst does not pay thread creation each time. IMAP runs on an event
  // loop (imap::Server); SMTP can move onto one too.
  Poco::ThreadPool session_threads_{2, 5000, 20, 512 * 1024};
  std::mutex mu_;
  config::SnapshotPtr config_;
  tls::CertificateStore certificates_;
  tls::ClientContextPtr client_tls_;
  long long started_at_ = std::time(nullptr);
  std::atomic<bool> certificate_changed_{false};
  admin::Admin admin_;
  webapi::Api api_;
  webapi::HttpServer http_;
};

}  // namespace

int serve(const std::string& data_dir) {
  DataDir dir{data_dir};
  dir.create();
  log::open(dir.logs());
  log::mirror_daemon_to_stderr(true);
  // Signals are taken synchronously by the main thread; block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  // Thousands of IMAP IDLE connections need as many descriptors: take the hard limit.
  struct rlimit files;
  if (getrlimit(RLIMIT_NOFILE, &files) == 0 && files.rlim_cur < files.rlim_max) {
    files.rlim_cur = files.rlim_max;
    setrlimit(RLIMIT_NOFILE, &files);
  }
  // One malloc arena per session thread would grow RSS with every burst of connections;
  // a NAS with 512 MB cares more about that than about allocator contention.
  mallopt(M_ARENA_MAX, 2);
  try {
    Server server(dir);
    return server.run();
  } catch (const std::exception& e) {
    log::write(log::Service::Daemon, "-", std::string("fatal: ") + e.what());
    return 1;
  }
}

}  // namespace postern::daemon

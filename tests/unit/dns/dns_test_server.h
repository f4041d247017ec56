// A real DNS server for the dns unit tests: dnsmasq (Debian's dnsmasq-base) on
// 127.0.0.1:<free port> answering only from the records it is given. It never forwards:
// --no-resolv with no --server, and the zones in `zones` are --local, so names inside
// them that have no record get NXDOMAIN (or NODATA) and names outside get REFUSED.
// The Python twin for e2e tests is tests/e2e/dns_server.py (same flags).
// Threading: one test thread.
#pragma once
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace postern::dns::test {

class DnsServer {
 public:
  // `records`: dnsmasq options such as "--mx-host=example.test,mx.example.test,10",
  // "--host-record=mx.example.test,127.0.0.10,::10", "--txt-record=example.test,a,b" (one
  // record of two strings: on the command line dnsmasq splits at commas, no quoting),
  // "--ptr-record=5.0.0.127.in-addr.arpa,host.example.test", "--cname=alias,target".
  explicit DnsServer(std::vector<std::string> records, int ttl = 300,
                     std::vector<std::string> zones = {"test", "in-addr.arpa", "ip6.arpa"})
      : records_(std::move(records)), zones_(std::move(zones)), ttl_(ttl) {
    for (int attempt = 0; attempt < 10; ++attempt)
      if (start()) return;
    throw std::runtime_error("dnsmasq did not start (is dnsmasq-base installed?)");
  }
  ~DnsServer() { stop(); }
  DnsServer(const DnsServer&) = delete;
  DnsServer& operator=(const DnsServer&) = delete;

  int port() const { return port_; }
  // The value for dns.nameservers / UnboundOptions::nameservers.
  std::string nameserver() const { return "127.0.0.1:" + std::to_string(port_); }

  void stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  static const char* binary() {
    for (const char* p : {"/usr/sbin/dnsmasq", "/usr/bin/dnsmasq", "/sbin/dnsmasq"})
      if (access(p, X_OK) == 0) return p;
    return "dnsmasq";
  }

  // A port that is free for both UDP and TCP right now; dnsmasq may still lose a race for
  // it, which start() notices and retries.
  static int pick_port() {
    for (int tries = 0; tries < 50; ++tries) {
      int udp = socket(AF_INET, SOCK_DGRAM, 0);
      sockaddr_in sa{};
      sa.sin_family = AF_INET;
      sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      socklen_t len = sizeof sa;
      bind(udp, reinterpret_cast<sockaddr*>(&sa), sizeof sa);
      getsockname(udp, reinterpret_cast<sockaddr*>(&sa), &len);
      int tcp = socket(AF_INET, SOCK_STREAM, 0);
      bool ok = bind(tcp, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
      close(tcp);
      close(udp);
      if (ok) return ntohs(sa.sin_port);
    }
    throw std::runtime_error("no free port");
  }

  static bool accepts_tcp(int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(uint16_t(port));
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
    close(fd);
    return ok;
  }

  bool start() {
    port_ = pick_port();
    std::vector<std::string> args = {binary(),
                                     "--keep-in-foreground",
                                     "--conf-file=/dev/null",
                                     "--no-resolv",
                                     "--no-hosts",
                                     "--no-poll",
                                     "--no-ident",
                                     "--bind-interfaces",
                                     "--listen-address=127.0.0.1",
                                     "--port=" + std::to_string(port_),
                                     "--pid-file=",
                                     "--cache-size=0",
                                     "--local-ttl=" + std::to_string(ttl_)};
    for (const auto& z : zones_) args.push_back("--local=/" + z + "/");
    args.insert(args.end(), records_.begin(), records_.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      int null = open("/dev/null", O_WRONLY);
      dup2(null, 1);
      if (!getenv("POSTERN_DNS_TEST_VERBOSE")) dup2(null, 2);
      execv(argv[0], argv.data());
      _exit(127);
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: bad option or port taken
        pid_ = -1;
        return false;
      }
      if (accepts_tcp(port_)) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    stop();
    return false;
  }

  std::vector<std::string> records_, zones_;
  int ttl_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace postern::dns::test

#include "dns/unbound_resolver.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <unbound.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <stdexcept>

#include "dns/rdata.h"
#include "log/log.h"
#include "util/strings.h"

namespace postern::dns {

namespace {

// RR types and class, from RFC 1035 / RFC 3596.
constexpr int kTypeA = 1, kTypePtr = 12, kTypeMx = 15, kTypeTxt = 16, kTypeAaaa = 28, kClassIn = 1;

struct ResultFree {
  void operator()(ub_result* r) const { ub_resolve_free(r); }
};
using ResultPtr = std::unique_ptr<ub_result, ResultFree>;

// Shared between a waiting caller and the libunbound callback. Whoever comes second
// cleans up: a caller that gave up marks it abandoned so the callback frees the result.
struct Pending {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  bool abandoned = false;
  int err = 0;
  ub_result* result = nullptr;
};

// Runs on the pump thread (inside ub_process). `arg` is a heap shared_ptr handed to
// ub_resolve_async; the callback owns it from here on.
void on_result(void* arg, int err, ub_result* result) {
  auto* holder = static_cast<std::shared_ptr<Pending>*>(arg);
  std::shared_ptr<Pending> p = std::move(*holder);
  delete holder;
  std::lock_guard<std::mutex> lock(p->mu);
  if (p->abandoned) {
    if (result) ub_resolve_free(result);
    return;
  }
  p->err = err;
  p->result = result;
  p->done = true;
  p->cv.notify_all();
}

std::string rcode_name(int rcode) {
  switch (rcode) {
    case 1:
      return "FORMERR";
    case 2:
      return "SERVFAIL";
    case 4:
      return "NOTIMP";
    case 5:
      return "REFUSED";
    default:
      return "rcode " + std::to_string(rcode);
  }
}

std::optional<std::string> parse_one(const std::string& item, std::string& error) {
  std::string host = item, port;
  bool has_port = false;
  if (!item.empty() && item.front() == '[') {
    auto close = item.find(']');
    if (close == std::string::npos) {
      error = "'" + item + "' lacks the closing ']'";
      return std::nullopt;
    }
    host = item.substr(1, close - 1);
    auto rest = item.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        error = "'" + item + "' is not [IPv6]:PORT";
        return std::nullopt;
      }
      has_port = true;
      port = rest.substr(1);
    }
  } else if (std::count(item.begin(), item.end(), ':') == 1) {  // IPv4:port; bare IPv6 has more
    auto colon = item.find(':');
    host = item.substr(0, colon);
    port = item.substr(colon + 1);
    has_port = true;
  }
  auto ip = util::IpAddress::parse(host);
  if (!ip || host.find('[') != std::string::npos || host != util::trim(host)) {
    error = "'" + item + "' needs an IP address (IP, IP:PORT or [IPv6]:PORT)";
    return std::nullopt;
  }
  std::string out = ip->to_string();
  if (has_port) {
    long long n = 0;
    if (!util::parse_int(port, n) || n < 1 || n > 65535) {
      error = "'" + item + "' needs a port between 1 and 65535";
      return std::nullopt;
    }
    out += "@" + std::to_string(n);
  }
  return out;
}

}  // namespace

std::optional<std::vector<std::string>> parse_nameservers(std::string_view list, std::string& error) {
  std::vector<std::string> out;
  for (const auto& item : util::split_list(list)) {
    auto one = parse_one(item, error);
    if (!one) return std::nullopt;
    out.push_back(std::move(*one));
  }
  return out;
}

struct UnboundResolver::Raw {
  ResultPtr result;  // null when there is no answer at all
  Status status = Status::TempFail;
  std::string error;
};

UnboundResolver::UnboundResolver(const UnboundOptions& options) : timeout_(options.timeout) {
  ctx_ = ub_ctx_create();
  if (!ctx_) throw std::runtime_error("libunbound: cannot create a context");
  auto fail = [this](const std::string& what) {
    ub_ctx_delete(ctx_);
    ctx_ = nullptr;
    throw std::runtime_error("libunbound: " + what);
  };
  auto check = [&](int rc, const std::string& what) {
    if (rc != 0) fail(what + ": " + ub_strerror(rc));
  };

  // Resolve in a libunbound thread (not a forked process) so a caller can give up on a
  // query at its deadline: blocking ub_resolve has no bound of its own.
  check(ub_ctx_async(ctx_, 1), "threaded mode");
  // Loopback forwarders are the normal case on a NAS (a local dnsmasq or systemd-resolved
  // at 127.0.0.53) and in the tests; unbound refuses to query them by default.
  check(ub_ctx_set_option(ctx_, "do-not-query-localhost:", "no"), "do-not-query-localhost");
  // After timeouts unbound backs off from a server for up to infra-host-ttl (15 min by
  // default) and answers SERVFAIL meanwhile; with one forwarder that means a short outage
  // of the router's DNS would stall all delivery for minutes after it came back.
  check(ub_ctx_set_option(ctx_, "infra-keep-probing:", "yes"), "infra-keep-probing");
  check(ub_ctx_set_option(ctx_, "infra-host-ttl:", "60"), "infra-host-ttl");
  // unbound answers some zones itself (RFC 6761 names, private reverse zones). Where the
  // admin's DNS server knows them (LAN host names under home.arpa, reverse records of LAN
  // and loopback clients, test zones of the e2e suite) it must be asked instead.
  // localhost keeps its built-in answer. ("nodefault" is ignored when set through
  // ub_ctx_set_option in libunbound 1.17; an empty transparent zone passes every query on.)
  for (const char* zone : {"test.", "invalid.", "home.arpa.", "127.in-addr.arpa."})
    check(ub_ctx_set_option(ctx_, "local-zone:", (std::string(zone) + " transparent").c_str()), "local-zone");
  check(ub_ctx_set_option(ctx_, "unblock-lan-zones:", "yes"), "unblock-lan-zones");
  check(ub_ctx_set_option(ctx_, "insecure-lan-zones:", "yes"), "insecure-lan-zones");

  std::string servers;
  if (!options.nameservers.empty()) {
    for (const auto& item : options.nameservers) {
      std::string error;
      auto fwd = parse_one(util::to_lower(util::trim(item)), error);
      if (!fwd) {
        ub_ctx_delete(ctx_);
        ctx_ = nullptr;
        throw std::invalid_argument("dns.nameservers: " + error);
      }
      check(ub_ctx_set_fwd(ctx_, fwd->c_str()), "forwarder " + *fwd);
      servers += (servers.empty() ? "" : ", ") + *fwd;
    }
    description_ = "forwarding to " + servers;
  } else {
    int rc = ub_ctx_resolvconf(ctx_, options.resolv_conf.c_str());
    if (rc == UB_READFILE) {
      // No resolv.conf: libunbound's default is full recursion from the root servers,
      // which works wherever outbound port 53 is open, so carry on rather than fail.
      description_ = "recursive from the root (" + options.resolv_conf + " unreadable)";
    } else {
      check(rc, "reading " + options.resolv_conf);
      description_ = "forwarding to the servers in " + options.resolv_conf;
    }
  }

  if (!options.trust_anchor_file.empty()) {
    // libunbound reads the file only at the first query; fail at start-up instead.
    if (access(options.trust_anchor_file.c_str(), R_OK) != 0)
      fail("cannot read trust anchor " + options.trust_anchor_file);
    check(ub_ctx_add_ta_file(ctx_, options.trust_anchor_file.c_str()), "trust anchor " + options.trust_anchor_file);
    description_ += "; DNSSEC validated with " + options.trust_anchor_file;
  } else {
    // Without an anchor the validator can prove nothing; leave it out of the chain.
    check(ub_ctx_set_option(ctx_, "module-config:", "iterator"), "module-config");
    description_ += "; DNSSEC off";
  }

  wake_fd_ = eventfd(0, EFD_CLOEXEC);
  if (wake_fd_ < 0) fail("eventfd failed");
  pump_ = std::thread([this] { pump(); });
}

UnboundResolver::~UnboundResolver() {
  uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof one) < 0) {
    // An eventfd write only fails on counter overflow; the pump is already awake then.
  }
  if (pump_.joinable()) pump_.join();
  close(wake_fd_);
  ub_ctx_delete(ctx_);
}

void UnboundResolver::pump() {
  pollfd fds[2] = {{ub_fd(ctx_), POLLIN, 0}, {wake_fd_, POLLIN, 0}};
  for (;;) {
    int n = poll(fds, 2, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      log::write(log::Service::Daemon, "dns", "poll failed; DNS answers stop");
      return;
    }
    if (fds[1].revents) return;
    if (fds[0].revents) {
      int rc = ub_process(ctx_);
      if (rc != 0) {
        // The channel to libunbound's worker broke: queries will time out. Do not spin.
        log::write(log::Service::Daemon, "dns", std::string("libunbound: ") + ub_strerror(rc));
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
      }
    }
  }
}

UnboundResolver::Raw UnboundResolver::query(const std::string& name, int rrtype) {
  Raw raw;
  auto pending = std::make_shared<Pending>();
  auto* holder = new std::shared_ptr<Pending>(pending);
  int id = 0;
  int rc = ub_resolve_async(ctx_, name.c_str(), rrtype, kClassIn, holder, on_result, &id);
  if (rc != 0) {
    delete holder;
    raw.status = rc == UB_SYNTAX ? Status::PermFail : Status::TempFail;
    raw.error = std::string("resolver: ") + ub_strerror(rc);
    return raw;
  }
  std::unique_lock<std::mutex> lock(pending->mu);
  if (!pending->cv.wait_for(lock, timeout_, [&] { return pending->done; })) {
    lock.unlock();
    // A successful cancel means the callback will never run, so its argument is ours to
    // free; a failed one means the result is being delivered right now.
    if (ub_cancel(ctx_, id) == 0) delete holder;
    lock.lock();
    if (!pending->done) {
      pending->abandoned = true;
      raw.error = "no answer within " + std::to_string(timeout_.count()) + " ms";
      return raw;
    }
  }
  raw.result.reset(pending->result);
  if (pending->err != 0 || !pending->result) {
    raw.status = pending->err == UB_SYNTAX ? Status::PermFail : Status::TempFail;
    raw.error = std::string("resolver: ") + ub_strerror(pending->err);
    raw.result.reset();
  }
  return raw;
}

template <typename T, typename Decode>
Answer<T> UnboundResolver::ask(std::string_view name, int rrtype, Decode decode) {
  Answer<T> out;
  if (!valid_query_name(name)) {
    out.status = Status::PermFail;
    out.detail = "invalid domain name";
    return out;
  }
  Raw raw = query(std::string(name), rrtype);
  if (!raw.result) {
    out.status = raw.status;
    out.detail = std::move(raw.error);
    return out;
  }
  const ub_result& r = *raw.result;
  if (r.bogus) {
    out.status = Status::TempFail;
    out.detail = std::string("DNSSEC validation failed: ") + (r.why_bogus ? r.why_bogus : "bogus");
    return out;
  }
  out.secure = r.secure != 0;
  out.ttl = r.ttl > 0 ? uint32_t(r.ttl) : 0;
  if (r.rcode == 3 || r.nxdomain) {
    out.status = Status::NxDomain;
  } else if (r.rcode != 0) {
    out.status = Status::TempFail;
    out.detail = rcode_name(r.rcode);
  } else if (!r.havedata || !r.data || !r.data[0]) {
    out.status = Status::NoData;
  } else {
    size_t malformed = 0;
    for (size_t i = 0; r.data[i]; ++i) {
      if (r.len[i] < 0) {
        ++malformed;
        continue;
      }
      auto record = decode(std::string_view(r.data[i], size_t(r.len[i])));
      if (record)
        out.records.push_back(std::move(*record));
      else
        ++malformed;
    }
    // Skipping one bad record keeps the good ones usable; an answer with nothing usable
    // is a broken server, which may be fixed later: not a permanent verdict on the name.
    if (out.records.empty()) {
      out.status = Status::TempFail;
      out.detail = "malformed answer (" + std::to_string(malformed) + " records)";
      out.secure = false;
    } else {
      out.status = Status::Ok;
    }
  }
  return out;
}

MxAnswer UnboundResolver::mx(std::string_view domain) {
  auto out = ask<Mx>(domain, kTypeMx, rdata::mx);
  std::stable_sort(out.records.begin(), out.records.end(),
                   [](const Mx& x, const Mx& y) { return x.preference < y.preference; });
  return out;
}

AddressAnswer UnboundResolver::a(std::string_view name) { return ask<util::IpAddress>(name, kTypeA, rdata::a); }

AddressAnswer UnboundResolver::aaaa(std::string_view name) {
  return ask<util::IpAddress>(name, kTypeAaaa, rdata::aaaa);
}

TextAnswer UnboundResolver::txt(std::string_view name) { return ask<std::string>(name, kTypeTxt, rdata::txt); }

TextAnswer UnboundResolver::ptr(const util::IpAddress& ip) {
  return ask<std::string>(reverse_name(ip), kTypePtr, rdata::ptr);
}

}  // namespace postern::dns

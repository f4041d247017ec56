// dns::Resolver over libunbound (NLnet Labs): the wire format, retries, TCP fallback,
// its own message cache and DNSSEC validation are libunbound's; this file only configures
// one context, bounds every query in time and turns ub_result into dns::Answer.
// Nameservers: the `dns.nameservers` setting when given (forwarders), otherwise the
// system's /etc/resolv.conf (one without nameserver lines means 127.0.0.1, as in
// resolv.conf(5)); when that file cannot be read, libunbound resolves from the root
// servers itself. DNSSEC: validated only when a trust anchor file is given
// (answers then carry `secure`; bogus ones become TempFail); without one, secure is false.
// Collaborators: rdata.h (decoding); log, only if the channel to libunbound's worker fails.
// The daemon logs description() at start-up.
// Error contract: the constructor throws std::invalid_argument for a malformed nameserver
// and std::runtime_error when libunbound rejects the configuration (a daemon start-up
// error); queries never throw for DNS outcomes (see resolver.h).
// Threading: queries are safe from any number of threads once constructed. libunbound
// resolves in its own background thread; a pump thread here delivers the results, and a
// query that outlives `timeout` is cancelled and answered TempFail, so no caller waits
// longer than that whatever the network does.
#pragma once
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "dns/resolver.h"

struct ub_ctx;

namespace postern::dns {

struct UnboundOptions {
  // "IP", "IP:port", "[IPv6]:port" (see parse_nameservers); empty = use resolv_conf.
  std::vector<std::string> nameservers;
  std::string resolv_conf = "/etc/resolv.conf";
  // File of trust anchors in zone format (e.g. Debian's /usr/share/dns/root.key, or a DS
  // line); empty = no validation. Validation needs forwarders that pass DNSSEC records
  // through: many home routers do not, and then every answer is bogus (TempFail).
  std::string trust_anchor_file;
  std::chrono::milliseconds timeout{10000};  // per query, from call to answer
};

// Splits the `dns.nameservers` setting ("192.0.2.1, 127.0.0.1:5353, [::1]:53") into
// libunbound's forwarder form ("127.0.0.1@5353"). nullopt with `error` set on a bad item.
std::optional<std::vector<std::string>> parse_nameservers(std::string_view list, std::string& error);

class UnboundResolver final : public Resolver {
 public:
  explicit UnboundResolver(const UnboundOptions& options);
  ~UnboundResolver() override;  // callers must have returned: in-flight queries are dropped
  UnboundResolver(const UnboundResolver&) = delete;
  UnboundResolver& operator=(const UnboundResolver&) = delete;

  MxAnswer mx(std::string_view domain) override;
  AddressAnswer a(std::string_view name) override;
  AddressAnswer aaaa(std::string_view name) override;
  TextAnswer txt(std::string_view name) override;
  TextAnswer ptr(const util::IpAddress& ip) override;

  // "forwarding to 127.0.0.1@5353; DNSSEC off", for the start-up log and the admin view.
  const std::string& description() const { return description_; }

 private:
  struct Raw;  // one finished ub_result, or why there is none
  Raw query(const std::string& name, int rrtype);
  template <typename T, typename Decode>
  Answer<T> ask(std::string_view name, int rrtype, Decode decode);
  void pump();

  ub_ctx* ctx_ = nullptr;
  std::chrono::milliseconds timeout_;
  std::string description_;
  int wake_fd_ = -1;  // eventfd: tells the pump thread to stop
  std::thread pump_;
};

}  // namespace postern::dns

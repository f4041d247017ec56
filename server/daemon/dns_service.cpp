#include "daemon/dns_service.h"

#include "util/strings.h"

namespace postern::daemon {

void DnsService::configure(const config::Snapshot& cfg) {
  dns::UnboundOptions opt;
  opt.nameservers = util::split_list(cfg.text("dns.nameservers"));  // checked by the resolver
  opt.trust_anchor_file = cfg.text("dns.dnssec_trust_anchor");
  opt.timeout = std::chrono::seconds(cfg.number("dns.timeout_s"));
  auto stack = std::make_shared<Stack>();
  stack->unbound = std::make_unique<dns::UnboundResolver>(opt);
  if (auto n = cfg.number("dns.cache_max_entries"); n > 0) {
    dns::CacheOptions c;
    c.max_entries = size_t(n);
    stack->cache = std::make_unique<dns::CachingResolver>(*stack->unbound, c);
  }
  std::lock_guard<std::mutex> lock(mu_);
  stack_ = std::move(stack);
}

std::shared_ptr<DnsService::Stack> DnsService::current() {
  std::lock_guard<std::mutex> lock(mu_);
  return stack_;
}

std::string DnsService::description() {
  auto s = current();
  return s ? s->unbound->description() + (s->cache ? " (cached)" : "") : "unconfigured";
}

namespace {
template <typename A>
A unavailable() {
  A a;
  a.status = dns::Status::TempFail;
  a.detail = "DNS resolver not configured";
  return a;
}
}  // namespace

dns::MxAnswer DnsService::mx(std::string_view d) {
  auto s = current();
  return s ? s->top().mx(d) : unavailable<dns::MxAnswer>();
}
dns::AddressAnswer DnsService::a(std::string_view n) {
  auto s = current();
  return s ? s->top().a(n) : unavailable<dns::AddressAnswer>();
}
dns::AddressAnswer DnsService::aaaa(std::string_view n) {
  auto s = current();
  return s ? s->top().aaaa(n) : unavailable<dns::AddressAnswer>();
}
dns::TextAnswer DnsService::txt(std::string_view n) {
  auto s = current();
  return s ? s->top().txt(n) : unavailable<dns::TextAnswer>();
}
dns::TextAnswer DnsService::ptr(const util::IpAddress& ip) {
  auto s = current();
  return s ? s->top().ptr(ip) : unavailable<dns::TextAnswer>();
}

}  // namespace postern::daemon

// Checks on the client itself: stored blocks, the ip/cidr lists, pipelining discipline and
// the per-client connection limits (Connect stage); its host name and HELO name (Helo stage).
#include <ctime>

#include "policy/engine.h"
#include "util/strings.h"

namespace postern::policy {

namespace {
std::string utc_time(int64_t t) {
  std::time_t tt = std::time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

bool address_literal(const std::string& name) { return name.size() > 2 && name.front() == '[' && name.back() == ']'; }

// Whether any of A, AAAA, MX exists for `name`; nullopt when DNS could not say.
std::optional<bool> has_address_or_mx(dns::Resolver& dns, const std::string& name) {
  if (!dns::valid_query_name(name)) return false;
  bool temp = false;
  auto a = dns.a(name);
  if (a.ok()) return true;
  temp |= a.status == dns::Status::TempFail;
  auto aaaa = dns.aaaa(name);
  if (aaaa.ok()) return true;
  temp |= aaaa.status == dns::Status::TempFail;
  auto mx = dns.mx(name);
  if (mx.ok()) return true;
  temp |= mx.status == dns::Status::TempFail;
  if (temp) return std::nullopt;
  return false;
}
}  // namespace

Verdict Engine::client_block(Context& ctx) {
  auto block = access_.active_block(ctx.facts.client_text, std::time(nullptr));
  if (!block) return Verdict::next();
  std::string until = block->expires_at ? " until " + utc_time(block->expires_at) : "";
  return Verdict::reject(421, "4.7.1", "Client host [" + ctx.facts.client_text + "] blocked" + until + ": " + block->reason,
                         "client.blocked")
      .closing();
}

Verdict Engine::client_access(Context& ctx) {
  auto m = access_rules()->client(ctx.facts.client);
  ctx.client_whitelist = m.white;
  if (!m.black) return Verdict::next();
  if (m.black->action == AccessAction::Discard) {
    // Accepted as usual; every message of the session is dropped after its 250.
    ctx.client_discard = true;
    stats_.count("client.blacklist_discard");
    return Verdict::next();
  }
  return Verdict::reject(554, "5.7.1", "Client host [" + ctx.facts.client_text + "] rejected: blacklisted", "client.blacklist")
      .closing();
}

Verdict Engine::client_pipelining(Context& ctx, Stage stage) {
  // Postfix's reject_unauth_pipelining: input before the greeting; commands sent ahead of
  // replies by a client that was not offered PIPELINING (HELO, not EHLO); anything sent
  // after DATA before the 354 (DATA must end a pipelined group, RFC 2920 §3.1).
  if (!ctx.input_ahead || ctx.facts.own_network()) return Verdict::next();
  if (stage == Stage::Connect)
    return Verdict::reject(554, "5.5.0", "Improper use of SMTP command pipelining: commands sent before the greeting",
                           "client.pipelining")
        .closing();
  if (stage == Stage::Data || !ctx.esmtp)
    return Verdict::reject(503, "5.5.0", "Improper use of SMTP command pipelining", "client.pipelining");
  return Verdict::next();
}

Verdict Engine::anvil_connections(Context& ctx, const config::Snapshot& cfg) {
  if (ctx.facts.own_network()) return Verdict::next();
  AnvilLimits limits;
  if (cfg.flag("security.limit_client_connections")) limits.concurrent = cfg.number("security.max_client_connections");
  if (cfg.flag("security.limit_client_connection_rate"))
    limits.connections_per_min = cfg.number("security.max_client_connections_per_minute");
  auto r = anvil_.connect(ctx.facts.client_text, limits);
  if (r.refusal == Anvil::Refusal::Concurrency)
    return Verdict::reject(421, "4.7.0",
                           "Error: too many connections from [" + ctx.facts.client_text + "], try again later",
                           "anvil.connections")
        .closing();
  if (r.refusal == Anvil::Refusal::ConnectionRate)
    return Verdict::reject(421, "4.7.0",
                           "Error: too many connections per minute from [" + ctx.facts.client_text +
                               "], try again in " + std::to_string(std::max<int64_t>(1, r.until - anvil_.now())) + " seconds",
                           "anvil.connection_rate")
        .closing();
  ctx.anvil_open = true;
  return Verdict::next();
}

Verdict Engine::client_unknown_hostname(Context& ctx) {
  // The client's PTR name must resolve back to its address (Postfix reject_unknown_client_hostname).
  auto refuse = Verdict::reject(550, "5.7.25", "Client host rejected: cannot find your hostname, [" + ctx.facts.client_text + "]",
                                "client.unknown_hostname");
  auto ptr = dns_.ptr(ctx.facts.client);
  if (ptr.status == dns::Status::TempFail)
    return Verdict::defer("Client host rejected: cannot find your hostname, [" + ctx.facts.client_text + "] (DNS temporary failure)",
                          "client.unknown_hostname.tempfail", 450, "4.7.25");
  if (!ptr.ok()) return refuse;
  // The canonical text is IPv4 for an IPv4-mapped client, which is then looked up as IPv4.
  bool v6 = ctx.facts.client_text.find(':') != std::string::npos;
  bool temp = false;
  size_t tried = 0;
  for (const auto& name : ptr.records) {
    if (++tried > 5) break;  // a PTR set this large is a trick; the first names decide
    auto answer = v6 ? dns_.aaaa(name) : dns_.a(name);
    if (answer.status == dns::Status::TempFail) temp = true;
    for (const auto& ip : answer.records)
      if (ip.to_string() == ctx.facts.client_text) return Verdict::next();
  }
  if (temp)
    return Verdict::defer("Client host rejected: cannot find your hostname, [" + ctx.facts.client_text + "] (DNS temporary failure)",
                          "client.unknown_hostname.tempfail", 450, "4.7.25");
  return refuse;
}

Verdict Engine::helo_non_fqdn(Context& ctx) {
  const auto& h = ctx.helo;
  if (address_literal(h)) return Verdict::next();
  auto name = h.back() == '.' ? h.substr(0, h.size() - 1) : h;
  if (name.find('.') != std::string::npos && mail::valid_domain(name) && name.front() != '[') return Verdict::next();
  return Verdict::reject(504, "5.5.2", "<" + h + ">: Helo command rejected: need fully-qualified hostname", "helo.non_fqdn");
}

Verdict Engine::helo_unknown(Context& ctx) {
  if (address_literal(ctx.helo)) return Verdict::next();
  auto known = has_address_or_mx(dns_, ctx.helo);
  if (!known)
    return Verdict::defer("<" + ctx.helo + ">: Helo command rejected: Host not found (DNS temporary failure)",
                          "helo.unknown.tempfail", 450, "4.7.1");
  if (*known) return Verdict::next();
  return Verdict::reject(550, "5.7.1", "<" + ctx.helo + ">: Helo command rejected: Host not found", "helo.unknown");
}

}  // namespace postern::policy

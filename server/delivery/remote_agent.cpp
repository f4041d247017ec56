#include "delivery/remote_agent.h"

#include <map>
#include <memory>
#include <set>

#include "mtasts/policy.h"
#include "mtasts/tls_required.h"
#include "policy/relay_validation.h"
#include "util/cidr.h"
#include "util/strings.h"

namespace postern::delivery {

namespace {

// Connections kept open between messages (connection reuse). Keyed by everything that
// makes two hops interchangeable; closed by RemoteAgent::close_idle().
// TLS reports count sessions, not messages (RFC 8460 §4.4: "total-successful-session-count"):
// a reused connection is counted once for each recipient domain it carried mail for.
struct OpenConnection {
  std::unique_ptr<smtp::ClientConnection> conn;
  std::set<std::string> reported;  // recipient domains whose TLS report counted this session
};
thread_local std::map<std::string, OpenConnection> open_connections;

std::string connection_key(const smtp::Hop& h) {
  return h.ip + "|" + std::to_string(h.port) + "|" + h.name + "|" + std::to_string(int(h.tls)) + "|" +
         (h.verify ? "v" : "-") + "|" + h.username;
}

queue::Outcome temp(const std::string& why, const std::string& code = "4.4.3") {
  return {queue::Outcome::TempFail, why, code, ""};
}

std::string domain_of(const std::string& address) {
  auto at = address.rfind('@');
  return at == std::string::npos ? "" : address.substr(at + 1);
}

}  // namespace

smtp::Hop::Tls tls_mode(const std::string& mode) {
  return mode == "implicit" ? smtp::Hop::Tls::Implicit
         : mode == "starttls" ? smtp::Hop::Tls::Required
                              : smtp::Hop::Tls::Opportunistic;
}

RemoteAgent::Target RemoteAgent::smarthost_target(const config::Snapshot& cfg) {
  const auto& host = cfg.text("delivery.smarthost_host");
  if (host.empty()) {
    Target t;
    t.failure = temp("no smart host is configured (delivery.smarthost_host)", "4.3.5");
    return t;
  }
  smtp::Hop base;
  base.port = int(cfg.number("delivery.smarthost_port"));
  base.tls = tls_mode(cfg.text("delivery.smarthost_tls"));
  base.verify = cfg.flag("delivery.smarthost_verify");
  base.username = cfg.text("delivery.smarthost_username");
  base.password = cfg.text("delivery.smarthost_password");
  return host_target(base, host);
}

RemoteAgent::Target RemoteAgent::host_target(smtp::Hop base, const std::string& host) {
  Target t;
  base.name = host;
  if (util::IpAddress::parse(host)) {
    base.ip = host;  // the certificate must then name this IP address to verify
    t.hops.push_back(base);
    return t;
  }
  auto answer = resolver_.addresses(host);
  if (answer.status != LookupStatus::Ok || answer.ips.empty()) {
    t.failure = temp("cannot resolve smart host " + host, "4.4.3");
    return t;
  }
  for (const auto& ip : answer.ips) {
    auto hop = base;
    hop.ip = ip;
    t.hops.push_back(hop);
  }
  return t;
}

RemoteAgent::Target RemoteAgent::direct_target(const std::string& domain, const config::Snapshot& cfg) {
  Target t;
  t.direct = true;
  int port = int(cfg.number("delivery.mx_port"));
  if (!domain.empty() && domain.front() == '[') {  // address literal: deliver to it as is
    auto inner = domain.substr(1, domain.size() - 2);
    if (inner.rfind("IPv6:", 0) == 0) inner = inner.substr(5);
    smtp::Hop hop;
    hop.ip = inner;
    hop.port = port;
    t.hops.push_back(hop);
    return t;
  }
  auto mx = resolver_.mx(domain);
  t.mx_secure = mx.secure;
  std::vector<MxHost> hosts;
  if (mx.status == LookupStatus::TempFail) {
    // The reason matters to the admin: a DNSSEC validation failure (forged or stripped
    // signatures) looks very different from a DNS server that is down.
    t.failure = temp("MX lookup for " + domain + " failed temporarily" + (mx.detail.empty() ? "" : ": " + mx.detail));
    return t;
  }
  if (mx.status == LookupStatus::NotFound) {
    t.failure = {queue::Outcome::PermFail, "domain " + domain + " does not exist", "5.1.2", ""};
    return t;
  }
  if (mx.status == LookupStatus::NoData || mx.hosts.empty()) {
    hosts.push_back({0, domain});  // RFC 5321 §5.1: the implicit MX
  } else {
    hosts = mx.hosts;
    // RFC 7505 null MX: the domain accepts no mail.
    if (hosts.size() == 1 && (hosts[0].name.empty() || hosts[0].name == ".")) {
      t.failure = {queue::Outcome::PermFail, "domain " + domain + " accepts no mail (null MX)", "5.1.10", ""};
      return t;
    }
  }
  bool any_temp = false;
  for (const auto& h : hosts) {
    auto a = resolver_.addresses(h.name);
    if (a.status == LookupStatus::TempFail) any_temp = true;
    for (const auto& ip : a.ips) {
      smtp::Hop hop;
      hop.ip = ip;
      hop.port = port;
      hop.name = h.name;
      t.hops.push_back(hop);
    }
  }
  if (t.hops.empty()) {
    if (any_temp || mx.status == LookupStatus::Ok)
      t.failure = temp("no address found for the mail hosts of " + domain);
    else
      t.failure = {queue::Outcome::PermFail, "domain " + domain + " has no mail host address", "5.1.2", ""};
  }
  return t;
}

RemoteAgent::Target RemoteAgent::target_for(const std::string& transport, const std::string& sender,
                                            const std::string& recipient, const std::string& domain,
                                            const config::Snapshot& cfg) {
  if (transport == "smarthost") return smarthost_target(cfg);
  if (transport.rfind("rule:", 0) == 0) {
    auto rule = tables_.rule(transport.substr(5));
    // A rule deleted while mail waited: the remaining rules decide, as they would now.
    if (!rule) {
      for (const auto& r : tables_.rules()) {
        const std::string subject = util::to_lower(r.kind == "sender" ? sender : recipient);
        for (const auto& p : r.patterns)
          if (!subject.empty() && policy::pattern_matches(p, subject)) return target_for("rule:" + r.name, sender, recipient, domain, cfg);
      }
      return direct_target(domain, cfg);
    }
    smtp::Hop base;
    base.port = rule->port;
    base.tls = tls_mode(rule->tls);
    base.verify = rule->verify;
    base.username = rule->username;
    base.password = rule->password;
    return host_target(base, rule->host);
  }
  if (transport.rfind("relay:", 0) == 0) {
    auto relay = tables_.relay_domain(transport.substr(6));
    if (relay && !relay->next_hop.empty()) {
      smtp::Hop base;
      std::string host = relay->next_hop;
      base.port = int(cfg.number("delivery.mx_port"));
      auto colon = host.rfind(':');
      if (colon != std::string::npos && host.find(']') == std::string::npos && host.find(':') == colon) {
        base.port = std::stoi(host.substr(colon + 1));
        host = host.substr(0, colon);
      }
      if (!host.empty() && host.front() == '[') host = host.substr(1, host.find(']') - 1);
      return host_target(base, host);
    }
    return direct_target(domain, cfg);  // the primary server found through (internal) DNS MX
  }
  return direct_target(domain, cfg);
}

void RemoteAgent::apply_credentials(Target& t) {
  for (auto& hop : t.hops) {
    if (!hop.username.empty()) continue;
    auto creds = tables_.credentials_for(hop.name.empty() ? hop.ip : hop.name);
    if (!creds && !hop.name.empty()) creds = tables_.credentials_for(hop.ip);
    if (creds) {
      hop.username = creds->username;
      hop.password = creds->password;
    }
  }
}

std::vector<queue::Outcome> RemoteAgent::send_group(const std::vector<const queue::Envelope*>& envs, const Target& target,
                                                    const std::string& body, const smtp::ClientOptions& options,
                                                    const SecurityPlan& security) {
  std::vector<queue::Outcome> out(envs.size(), target.failure);
  if (target.hops.empty()) return out;
  std::vector<std::string> rcpts;
  for (const auto* e : envs) rcpts.push_back(e->recipient);
  const std::string& sender = envs.front()->sender;
  std::string last_error = "no host could be reached";
  std::string last_code = "4.4.3";
  const std::string domain = domain_of(envs.front()->recipient);
  for (const auto& hop : target.hops) {
    smtp::Transfer t;
    bool counted = false;  // this session already is in the domain's TLS report
    bool reused = false;
    auto key = connection_key(hop);
    auto cached = open_connections.find(key);
    if (cached != open_connections.end()) {
      t = cached->second.conn->send(sender, rcpts, body, security.pass_requiretls());
      counted = !cached->second.reported.insert(domain).second;
      reused = true;
      // A reused connection the server has meanwhile dropped: try once on a fresh one.
      if (!t.per_recipient && t.session.temporary() && !cached->second.conn->usable()) {
        reused = false;
        counted = false;
      }
      if (!cached->second.conn->usable()) open_connections.erase(cached);
    }
    if (!reused) {
      auto conn = smtp::ClientConnection::open(hop, options, t);
      if (conn) {
        t = conn->send(sender, rcpts, body, security.pass_requiretls());
        if (conn->usable()) open_connections[key] = {std::move(conn), {domain}};
      }
    }
    std::string where = (hop.name.empty() ? hop.ip : hop.name) + "[" + hop.ip + "]:" + std::to_string(hop.port);
    if (target.direct && tls_report_ && !counted)
      if (auto o = tls_outcome(domain, hop, t, target.tls_policy, options.source_ip)) tls_report_(*o);
    // RFC 8689 §5: a host without REQUIRETLS support is skipped like an unreachable one.
    bool lacks_requiretls = !t.per_recipient && t.session.enhanced == "5.7.30";
    if (!t.reached || (!t.per_recipient && t.session.temporary()) || lacks_requiretls) {
      last_error = t.session.str();
      if (!t.session.enhanced.empty()) last_code = t.session.enhanced;
      continue;  // next host: unreachable, or a temporary refusal of the whole session
    }
    for (size_t i = 0; i < envs.size(); ++i) {
      const auto& r = t.per_recipient ? t.recipients[i] : t.session;
      queue::Outcome o;
      o.remote_mta = where;
      o.enhanced = r.enhanced;
      o.detail = r.str() + (t.tls.empty() ? "" : " (" + t.tls + (t.tls_verified ? ", verified" : "") + ")");
      o.status = r.positive() ? queue::Outcome::Delivered : r.temporary() ? queue::Outcome::TempFail : queue::Outcome::PermFail;
      if (o.enhanced.empty()) o.enhanced = r.positive() ? "2.0.0" : r.temporary() ? "4.0.0" : "5.0.0";
      security.review(o, t, hop);
      out[i] = o;
    }
    return out;
  }
  for (auto& o : out) {
    o = temp(last_error, last_code);
    security.review_failure(o);
  }
  return out;
}

void RemoteAgent::close_idle() { open_connections.clear(); }

SecurityInput RemoteAgent::security_input(const Target& target, const std::string& domain,
                                          const std::string& require_tls, bool tls_required_no,
                                          const config::Snapshot& cfg, StsAnswer& sts) {
  SecurityInput in;
  in.domain = domain;
  in.direct = target.direct;
  in.mx_secure = target.mx_secure;
  in.require_tls = require_tls;
  // RFC 8689 §5: "TLS-Required: No" waives MTA-STS, unless RequireTLS asks the opposite.
  bool waived = tls_required_no && require_tls.empty();
  bool literal = !domain.empty() && domain.front() == '[';
  if (sts_ && target.direct && !literal && !waived && cfg.flag("delivery.mta_sts")) {
    sts = sts_->policy_for(domain);
    in.sts = &sts;
  }
  return in;
}

std::vector<queue::Outcome> RemoteAgent::deliver(const std::vector<queue::Envelope>& envs, const std::string& body) {
  auto cfg = config_();
  smtp::ClientOptions options;
  options.helo = cfg->host_name();
  options.tls = tls_();
  options.connect_timeout_ms = int(cfg->number("delivery.connect_timeout_s") * 1000);
  options.command_timeout_ms = int(cfg->number("delivery.command_timeout_s") * 1000);

  // One SMTP transaction per next hop: all smart-host recipients together, direct ones
  // per recipient domain.
  std::map<std::string, std::vector<size_t>> groups;
  for (size_t i = 0; i < envs.size(); ++i) {
    const auto& e = envs[i];
    // Same transport, recipient domain and RequireTLS demand share one transaction.
    groups[e.transport + "|" + domain_of(e.recipient) + "|" + e.require_tls].push_back(i);
  }
  const bool tls_required_no = mtasts::tls_required_no(body);
  std::vector<queue::Outcome> out(envs.size());
  for (const auto& [key, idx] : groups) {
    const auto& first = envs[idx.front()];
    const auto& transport = first.transport;
    const auto domain = domain_of(first.recipient);
    Target target = target_for(transport, first.sender, first.recipient, domain, *cfg);
    // Stored credentials belong to hosts the admin routes mail to, never to a domain's MX
    // (that would hand the smart host's password to whoever the recipient's DNS names).
    if (transport != "direct" && !target.direct) apply_credentials(target);
    std::vector<const queue::Envelope*> members;
    for (auto i : idx) members.push_back(&envs[i]);
    StsAnswer sts;
    SecurityPlan security;
    if (!target.hops.empty()) {
      auto input = security_input(target, domain, first.require_tls, tls_required_no, *cfg, sts);
      // A policy that could not be fetched is reported without a session (RFC 8460 §4.4).
      if (tls_report_)
        if (auto failed = sts_failure_outcome(domain, sts)) tls_report_(*failed);
      // TLS reports name the policy each session was held to (RFC 8460 §4.4).
      if (sts.policy && sts.policy->mode != mtasts::Mode::None)
        target.tls_policy = {"sts", util::split_list(mtasts::format_policy(*sts.policy), '\n')};
      if (auto refused = security.apply(input, target.hops)) {
        target.hops.clear();
        target.failure = *refused;
      }
    }
    auto results = send_group(members, target, body, options, security);
    for (size_t k = 0; k < idx.size(); ++k) out[idx[k]] = results[k];
  }
  return out;
}

}  // namespace postern::delivery

#include "spf/checker.h"

#include <cctype>
#include <cstring>
#include <ctime>
#include <memory>

#include "spf/dns_layer.h"
#include "spf/libspf2.h"
#include "spf/macro.h"
#include "util/strings.h"

namespace postern::spf {

const char* result_name(Result r) {
  switch (r) {
    case Result::None: return "none";
    case Result::Neutral: return "neutral";
    case Result::Pass: return "pass";
    case Result::Fail: return "fail";
    case Result::SoftFail: return "softfail";
    case Result::TempError: return "temperror";
    case Result::PermError: return "permerror";
  }
  return "none";
}

namespace {

// RFC 7208 §4.3: a <domain> that is malformed or not multi-label gives "none" at once.
// CORRECTION(domain-check): libspf2 looks such names up (or errors) instead.
bool usable_domain(std::string_view d) {
  if (!d.empty() && d.back() == '.') d.remove_suffix(1);
  if (d.empty() || d.size() > 253) return false;
  size_t labels = 0, start = 0;
  while (start <= d.size()) {
    size_t dot = d.find('.', start);
    if (dot == std::string_view::npos) dot = d.size();
    size_t len = dot - start;
    if (len == 0 || len > 63) return false;
    for (char c : d.substr(start, len))
      if (static_cast<unsigned char>(c) <= 0x20 || static_cast<unsigned char>(c) >= 0x7f || c == '[' || c == ']') return false;
    ++labels;
    start = dot + 1;
  }
  return labels >= 2;
}

// RFC 7208 §7.3: an expanded name over 253 bytes loses labels on the left.
std::string truncate_name(std::string s) {
  while (s.size() > 253) {
    auto dot = s.find('.');
    if (dot == std::string::npos) break;
    s.erase(0, dot + 1);
  }
  return s;
}

std::string nibbles(const util::IpAddress& ip) {
  static const char* hex = "0123456789ABCDEF";  // as the RFC 7208 suite expects
  std::string out;
  for (size_t i = 0; i < 16; ++i) {
    out += (out.empty() ? "" : ".");
    out += hex[ip.bytes[i] >> 4];
    out += '.';
    out += hex[ip.bytes[i] & 15];
  }
  return out;
}

// An IPv4-mapped IPv6 address (::ffff:a.b.c.d) is the IPv4 client it stands for.
util::IpAddress unmapped(const util::IpAddress& ip) {
  if (!ip.v6) return ip;
  for (size_t i = 0; i < 10; ++i)
    if (ip.bytes[i]) return ip;
  if (ip.bytes[10] != 0xff || ip.bytes[11] != 0xff) return ip;
  util::IpAddress v4;
  for (size_t i = 0; i < 4; ++i) v4.bytes[i] = ip.bytes[12 + i];
  return v4;
}

struct ServerDeleter {
  void operator()(SPF_server_t* s) const { SPF_server_free(s); }
};
struct RequestDeleter {
  void operator()(SPF_request_t* r) const { SPF_request_free(r); }
};
struct ResponseDeleter {
  void operator()(SPF_response_t* r) const { SPF_response_free(r); }
};

Result from_libspf2(SPF_result_t r, SPF_errcode_t code) {
  switch (r) {
    case SPF_RESULT_NEUTRAL: return Result::Neutral;
    case SPF_RESULT_PASS: return Result::Pass;
    case SPF_RESULT_FAIL: return Result::Fail;
    case SPF_RESULT_SOFTFAIL: return Result::SoftFail;
    case SPF_RESULT_NONE: return Result::None;
    case SPF_RESULT_TEMPERROR: return Result::TempError;
    case SPF_RESULT_PERMERROR: return Result::PermError;
    case SPF_RESULT_INVALID: break;
  }
  // CORRECTION(invalid-result): libspf2 leaves "invalid" after some DNS errors; a DNS
  // error is temperror (RFC 7208 §2.6.6), anything else a broken record (§2.6.7).
  return code == SPF_E_DNS_ERROR ? Result::TempError : Result::PermError;
}

}  // namespace

Checker::Checker(dns::Resolver& resolver, CheckerOptions options) : resolver_(resolver), options_(std::move(options)) {
  if (options_.void_lookup_limit < 2) options_.void_lookup_limit = 2;  // SPF-11
}

Verdict Checker::check_mail_from(const util::IpAddress& ip, std::string_view helo, std::string_view sender) {
  std::string s(sender);
  if (s.empty()) return check(ip, helo, "postmaster@" + std::string(helo), "mailfrom");
  auto at = s.rfind('@');
  if (at == std::string::npos) s = "postmaster@" + s;
  else if (at == 0) s = "postmaster" + s;  // RFC 7208 §4.3: no local-part
  return check(ip, helo, s, "mailfrom");
}

Verdict Checker::check_helo(const util::IpAddress& ip, std::string_view helo) {
  return check(ip, helo, "postmaster@" + std::string(helo), "helo");
}

Verdict Checker::check(const util::IpAddress& ip_in, std::string_view helo, std::string sender, std::string identity) {
  util::IpAddress ip = unmapped(ip_in);
  Verdict v;
  v.identity = identity;
  v.sender = sender;
  auto at = sender.rfind('@');
  std::string local = sender.substr(0, at), domain = sender.substr(at + 1);
  if (!domain.empty() && domain.back() == '.') domain.pop_back();
  v.domain = util::to_lower(domain);  // the cache key and log form
  if (!usable_domain(domain)) {
    v.result = Result::None;
    v.problem = "'" + domain + "' is not a usable domain name";
    v.ttl = 3600;
    return v;
  }

  DnsLayer layer(resolver_, options_.dns_lookup_limit, options_.void_lookup_limit);
  layer.set_client(ip);
  std::unique_ptr<SPF_server_t, ServerDeleter> server(SPF_server_new_dns(static_cast<SPF_dns_server_t*>(layer.server()), 0));
  if (!server) throw std::bad_alloc();
  SPF_server_set_rec_dom(server.get(), options_.receiver.c_str());
  // Our layer enforces the RFC's limits; libspf2's own counters (which count differently)
  // are set wide so they never decide first.
  SPF_server_set_max_dns_mech(server.get(), 100);
  SPF_server_set_max_dns_mx(server.get(), 10);
  SPF_server_set_max_dns_ptr(server.get(), 10);
  std::unique_ptr<SPF_request_t, RequestDeleter> req(SPF_request_new(server.get()));
  if (!req) throw std::bad_alloc();
  if (ip.v6) {
    in6_addr a;
    std::memcpy(&a, ip.bytes.data(), 16);
    SPF_request_set_ipv6(req.get(), a);
  } else {
    in_addr a;
    std::memcpy(&a, ip.bytes.data(), 4);
    SPF_request_set_ipv4(req.get(), a);
  }
  std::string helo_s(helo);
  if (!helo_s.empty()) SPF_request_set_helo_dom(req.get(), helo_s.c_str());
  SPF_request_set_env_from(req.get(), sender.c_str());
  // CORRECTION(loopback): SPF_request_query_mailfrom() passes every loopback client
  // (127/8, ::1) without looking at DNS; RFC 7208 has no such rule (and the tests act as
  // different hosts from 127.0.0.x). This is its body without that shortcut.
  std::unique_ptr<SPF_response_t, ResponseDeleter> resp(SPF_response_new(req.get()));
  if (!resp) throw std::bad_alloc();
  req->cur_dom = req->use_helo ? req->helo_dom : req->env_from_dp;
  SPF_record_t* record = nullptr;
  SPF_errcode_t code = SPF_server_get_record(server.get(), req.get(), resp.get(), &record);
  if (code != SPF_E_SUCCESS) {
    if (record) SPF_record_free(record);
    SPF_i_done(resp.get(), resp->result, resp->reason, resp->err);
  } else {
    resp->spf_record_exp = record;
    code = SPF_record_interpret(record, req.get(), resp.get(), 0);
    SPF_record_free(record);
    resp->spf_record_exp = nullptr;
  }

  if (auto t = layer.terminal()) {
    v.result = *t;
    v.problem = layer.problem();
  } else {
    auto e = SPF_response_errcode(resp.get());
    v.result = from_libspf2(SPF_response_result(resp.get()), e);
    if (v.result == Result::PermError || v.result == Result::TempError) v.problem = SPF_strerror(e != SPF_E_SUCCESS ? e : code);
  }
  v.ttl = v.result == Result::TempError ? 0 : layer.min_ttl();

  if (v.result == Result::Fail) {
    MacroContext ctx;
    ctx.sender = sender;
    ctx.local_part = local;
    ctx.sender_domain = domain;
    ctx.ip = ip.to_string();
    ctx.ipv6 = ip.v6;
    ctx.ip_dotted = ip.v6 ? nibbles(ip) : ctx.ip;
    ctx.helo = helo_s;
    ctx.receiver = options_.receiver;
    ctx.timestamp = (long long)std::time(nullptr);
    v.explanation = explain(layer, ctx, domain);
  }
  return v;
}

// CORRECTION(exp-ours): RFC 7208 §6.2. The record whose mechanisms produced the fail is the
// last one of the redirect chain that was fetched (include never produces a fail); its
// exp= names the TXT record holding the explanation. Any trouble: the default text.
std::string Checker::explain(const DnsLayer& layer, MacroContext ctx, const std::string& domain) {
  std::string fallback = domain + " does not designate " + ctx.ip + " as a permitted sender";
  const auto& fetched = layer.records();
  if (fetched.empty()) return fallback;
  size_t cur = 0;
  ctx.domain = fetched[0].domain;
  for (size_t hops = 0; hops < fetched.size(); ++hops) {
    const Term* redirect = fetched[cur].record.redirect();
    if (!redirect || fetched[cur].record.has_all()) break;
    auto target = expand(redirect->domain_spec, ctx, false);
    if (!target) break;
    std::string name = util::to_lower(truncate_name(*target));
    while (!name.empty() && name.back() == '.') name.pop_back();
    size_t next = cur;
    for (size_t k = cur + 1; k < fetched.size(); ++k)
      if (fetched[k].domain == name) next = k;
    if (next == cur) break;
    cur = next;
    ctx.domain = fetched[cur].domain;
  }
  const Term* exp = fetched[cur].record.exp();
  if (!exp) return fallback;
  auto name = expand(exp->domain_spec, ctx, false);
  if (!name || name->empty()) return fallback;
  auto ans = resolver_.txt(truncate_name(*name));
  if (!ans.ok() || ans.records.size() != 1) return fallback;
  const std::string& text = ans.records[0];
  if (text.find("%{p") != std::string::npos || text.find("%{P") != std::string::npos)
    ctx.validated_name = validated_name(ctx);
  auto out = expand(text, ctx, true);
  if (!out) return fallback;
  for (unsigned char c : *out)
    if (c < 0x20 || c > 0x7e) return fallback;  // §6.2: the explanation is plain ASCII
  return *out;
}

// RFC 7208 §5.5 / §7.3 "p": a PTR name of the client whose addresses include it,
// preferring <domain> itself, then a subdomain of it; "unknown" if none.
std::string Checker::validated_name(const MacroContext& ctx) {
  auto ip = util::IpAddress::parse(ctx.ip);
  if (!ip) return "unknown";
  auto names = resolver_.ptr(*ip);
  if (!names.ok()) return "unknown";
  std::string best;
  int best_rank = 0;
  size_t tried = 0;
  std::string d = util::to_lower(ctx.domain);
  for (const auto& n : names.records) {
    if (++tried > 10) break;
    auto addrs = ip->v6 ? resolver_.aaaa(n) : resolver_.a(n);
    if (!addrs.ok()) continue;
    bool match = false;
    for (const auto& a : addrs.records)
      if (a.v6 == ip->v6 && a.bytes == ip->bytes) match = true;
    if (!match) continue;
    std::string ln = util::to_lower(n);
    int rank = ln == d ? 3 : (ln.size() > d.size() && ln.compare(ln.size() - d.size() - 1, d.size() + 1, "." + d) == 0) ? 2 : 1;
    if (rank > best_rank) best = n, best_rank = rank;
  }
  return best.empty() ? "unknown" : best;
}

std::string Checker::received_spf_header(const Verdict& v, const util::IpAddress& ip_in, std::string_view helo) const {
  util::IpAddress ip = unmapped(ip_in);
  std::string ips = ip.to_string();
  std::string comment;
  switch (v.result) {
    case Result::Pass: comment = "domain of " + v.sender + " designates " + ips + " as permitted sender"; break;
    case Result::Fail: comment = "domain of " + v.sender + " does not designate " + ips + " as permitted sender"; break;
    case Result::SoftFail: comment = "domain of transitioning " + v.sender + " does not designate " + ips + " as permitted sender"; break;
    case Result::Neutral: comment = ips + " is neither permitted nor denied by domain of " + v.sender; break;
    case Result::None: comment = "domain of " + v.sender + " does not provide an SPF record"; break;
    case Result::TempError: comment = "error in processing during lookup of " + v.sender + ": DNS error"; break;
    case Result::PermError: comment = "error in processing during lookup of " + v.sender + ": the SPF record is invalid"; break;
  }
  // Header field values must stay on the header: nothing but printable ASCII, and the
  // comment must not close its parentheses early.
  auto clean = [](std::string s, bool comment_text) {
    std::string out;
    for (unsigned char c : s) {
      if (c < 0x20 || c > 0x7e) out += '?';
      else if (comment_text && (c == '(' || c == ')' || c == '\\')) out += '\\', out += char(c);
      else out += char(c);
    }
    return out;
  };
  auto quoted = [&](const std::string& s) {
    std::string out = "\"";
    for (char c : clean(s, false)) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  };
  std::string h = "Received-SPF: " + std::string(result_name(v.result)) + " (" + clean(options_.receiver, true) + ": " +
                  clean(comment, true) + ")\r\n\treceiver=" + clean(options_.receiver, false) + "; client-ip=" + ips +
                  "; envelope-from=" + quoted(v.sender) + "; helo=" + quoted(std::string(helo)) + ";\r\n\tidentity=" + v.identity + ";";
  if (!v.problem.empty() && (v.result == Result::TempError || v.result == Result::PermError))
    h += " problem=" + quoted(v.problem) + ";";
  return h;
}

}  // namespace postern::spf

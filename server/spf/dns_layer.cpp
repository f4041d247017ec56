#include "spf/dns_layer.h"

#include <cctype>
#include <cstring>
#include <cstdlib>

#include "spf/libspf2.h"
#include "util/random.h"

namespace postern::spf {

namespace {

std::string normalise(const char* name) {
  std::string s = name ? name : "";
  while (!s.empty() && s.back() == '.') s.pop_back();
  for (auto& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

SPF_dns_rr_t* lookup_callback(SPF_dns_server_t* server, const char* domain, ns_type type, int /*should_cache*/) {
  return static_cast<SPF_dns_rr_t*>(static_cast<DnsLayer*>(server->hook)->lookup(domain, int(type)));
}

SPF_dns_rr_t* empty(SPF_dns_server_t* server, const char* domain, int type, int herrno, uint32_t ttl = 0) {
  return SPF_dns_rr_new_init(server, domain, ns_type(type), int(ttl), herrno);
}

bool add_rr(SPF_dns_rr_t* rr, const void* data, size_t len) {
  int idx = rr->num_rr;
  if (SPF_dns_rr_buf_realloc(rr, idx, len) != SPF_E_SUCCESS) return false;
  std::memcpy(rr->rr[idx], data, len);
  rr->num_rr = idx + 1;
  return true;
}

bool add_text(SPF_dns_rr_t* rr, const std::string& s) { return add_rr(rr, s.c_str(), s.size() + 1); }

}  // namespace

DnsLayer::DnsLayer(dns::Resolver& resolver, int dns_lookup_limit, int void_lookup_limit)
    : resolver_(resolver), dns_lookup_limit_(dns_lookup_limit), void_lookup_limit_(void_lookup_limit) {
  static const char* hex = "0123456789abcdef";
  zero_label_ = "pcz";
  for (unsigned char c : util::random_bytes(8)) zero_label_ += hex[c >> 4], zero_label_ += hex[c & 15];
  zero_label_ += "-";
  auto* s = static_cast<SPF_dns_server_t*>(std::calloc(1, sizeof(SPF_dns_server_t)));
  if (!s) throw std::bad_alloc();
  s->destroy = nullptr;  // owned here, not by libspf2's SPF_server_free
  s->lookup = lookup_callback;
  s->name = "postern";
  s->hook = this;
  server_ = s;
}

DnsLayer::~DnsLayer() { std::free(server_); }

void* DnsLayer::server() { return server_; }

void DnsLayer::stop(Result r, std::string why) {
  if (terminal_) return;
  terminal_ = r;
  problem_ = std::move(why);
}

void DnsLayer::note_ttl(uint32_t ttl) {
  if (ttl < min_ttl_) min_ttl_ = ttl;
}

void* DnsLayer::lookup(const char* domain_c, int type) {
  auto* server = static_cast<SPF_dns_server_t*>(server_);
  std::string domain = normalise(domain_c);
  // CORRECTION(cidr-zero): a name whose last label is zero_label_ + "4", "6" or "46" comes
  // from an a/mx term with a /0 length (record.h): ask for the name without it, answer
  // with the client's own address.
  bool zero4 = false, zero6 = false;
  std::string zero_suffix;
  if (auto dot = domain.rfind('.'); dot != std::string::npos) {
    std::string last = domain.substr(dot + 1);
    if (last.rfind(zero_label_, 0) == 0) {
      std::string which = last.substr(zero_label_.size());
      if (which == "4" || which == "6" || which == "46") {
        zero_suffix = domain.substr(dot);
        zero4 = which != "6";
        zero6 = which != "4";
      }
    }
  }
  if (terminal_) return empty(server, domain_c, type, TRY_AGAIN);
  if (type == ns_t_spf) return empty(server, domain_c, type, NO_DATA);  // RFC 7208 §3.1: TXT only

  // Which lookups are terms (count towards the limits) and which are the addresses of an
  // mx/ptr term's names (RFC 7208 §4.6.4: limited per term, not counted as terms).
  bool is_address = type == ns_t_a || type == ns_t_aaaa;
  bool mx_host = is_address && mx_hosts_.count(domain);
  bool ptr_name = is_address && ptr_names_.count(domain);
  bool term = !(type == ns_t_txt && !first_txt_done_) && !mx_host && !ptr_name;
  if (type == ns_t_txt) first_txt_done_ = true;
  if (term && ++term_lookups_ > dns_lookup_limit_) {
    stop(Result::PermError, "more than " + std::to_string(dns_lookup_limit_) + " DNS lookups");
    return empty(server, domain_c, type, TRY_AGAIN);
  }

  std::string ask = domain.substr(0, domain.size() - zero_suffix.size());
  auto handle_status = [&](dns::Status st, uint32_t ttl, const std::string& detail) -> SPF_dns_rr_t* {
    switch (st) {
      case dns::Status::Ok:
        return nullptr;
      case dns::Status::NxDomain:
      case dns::Status::NoData:
      case dns::Status::PermFail:  // a name that cannot be asked exists nowhere
        note_ttl(ttl);
        if (term && ++void_lookups_ > void_lookup_limit_)
          stop(Result::PermError, "more than " + std::to_string(void_lookup_limit_) + " void DNS lookups");
        return empty(server, domain_c, type, st == dns::Status::NoData ? NO_DATA : HOST_NOT_FOUND, ttl);
      case dns::Status::TempFail:
        // RFC 7208 §5.5: a DNS error validating one ptr name skips that name.
        if (ptr_name) return empty(server, domain_c, type, HOST_NOT_FOUND);
        stop(Result::TempError, "DNS lookup of " + domain + " failed: " + detail);
        return empty(server, domain_c, type, TRY_AGAIN);
    }
    return nullptr;
  };

  switch (type) {
    case ns_t_a:
    case ns_t_aaaa: {
      auto ans = type == ns_t_a ? resolver_.a(ask) : resolver_.aaaa(ask);
      if (auto* rr = handle_status(ans.status, ans.ttl, ans.detail)) return rr;
      note_ttl(ans.ttl);
      if ((type == ns_t_a && zero4 && !client_.v6) || (type == ns_t_aaaa && zero6 && client_.v6)) {
        bool any = false;
        for (const auto& ip : ans.records) any |= ip.v6 == client_.v6;
        if (any) ans.records = {client_};
      }
      auto* rr = empty(server, domain_c, type, NETDB_SUCCESS, ans.ttl);
      for (const auto& ip : ans.records) {
        if (ip.v6 != (type == ns_t_aaaa)) continue;
        if (type == ns_t_a) {
          in_addr a;
          std::memcpy(&a, ip.bytes.data(), 4);
          add_rr(rr, &a, sizeof a);
        } else {
          in6_addr a;
          std::memcpy(&a, ip.bytes.data(), 16);
          add_rr(rr, &a, sizeof a);
        }
      }
      return rr;
    }
    case ns_t_mx: {
      auto ans = resolver_.mx(ask);
      if (auto* rr = handle_status(ans.status, ans.ttl, ans.detail)) return rr;
      note_ttl(ans.ttl);
      if (ans.records.size() > 10) {
        stop(Result::PermError, "more than 10 MX names for " + domain);
        return empty(server, domain_c, type, TRY_AGAIN);
      }
      auto* rr = empty(server, domain_c, type, NETDB_SUCCESS, ans.ttl);
      for (const auto& mx : ans.records) {
        if (mx.exchange.empty()) continue;  // null MX: no host
        std::string host = normalise(mx.exchange.c_str()) + zero_suffix;
        mx_hosts_.insert(host);
        add_text(rr, host);
      }
      return rr;
    }
    case ns_t_ptr: {
      // libspf2 asks for the reverse name itself; turn it back into the address.
      std::string name = domain;
      auto ip = util::IpAddress{};
      bool ok = false;
      const std::string v4 = ".in-addr.arpa", v6 = ".ip6.arpa";
      if (name.size() > v4.size() && name.compare(name.size() - v4.size(), v4.size(), v4) == 0) {
        std::string rev = name.substr(0, name.size() - v4.size()), fwd;
        size_t end = rev.size();
        while (true) {  // labels in reverse order
          auto dot = rev.rfind('.', end - 1);
          if (end == 0) break;
          fwd += (fwd.empty() ? "" : ".") + rev.substr(dot == std::string::npos ? 0 : dot + 1, end - (dot == std::string::npos ? 0 : dot + 1));
          if (dot == std::string::npos) break;
          end = dot;
        }
        if (auto p = util::IpAddress::parse(fwd)) ip = *p, ok = true;
      } else if (name.size() > v6.size() && name.compare(name.size() - v6.size(), v6.size(), v6) == 0) {
        std::string nibbles;
        for (char c : name.substr(0, name.size() - v6.size()))
          if (c != '.') nibbles += c;
        if (nibbles.size() == 32) {
          std::string text;
          for (int i = 31; i >= 0; --i) {
            text += nibbles[size_t(i)];
            if (i % 4 == 0 && i) text += ':';
          }
          if (auto p = util::IpAddress::parse(text)) ip = *p, ok = true;
        }
      }
      if (!ok) return empty(server, domain_c, type, HOST_NOT_FOUND);
      auto ans = resolver_.ptr(ip);
      if (auto* rr = handle_status(ans.status, ans.ttl, ans.detail)) return rr;
      note_ttl(ans.ttl);
      auto* rr = empty(server, domain_c, type, NETDB_SUCCESS, ans.ttl);
      // CORRECTION(ptr-limit): RFC 7208 §4.6.4: only the first 10 PTR names are checked;
      // libspf2 calls more a permerror ("too many DNS lookups").
      if (ans.records.size() > 10) ans.records.resize(10);
      for (const auto& n : ans.records) {
        ptr_names_.insert(normalise(n.c_str()));
        add_text(rr, n);
      }
      return rr;
    }
    case ns_t_txt: {
      auto ans = resolver_.txt(ask);
      if (auto* rr = handle_status(ans.status, ans.ttl, ans.detail)) return rr;
      note_ttl(ans.ttl);
      auto* rr = empty(server, domain_c, type, NETDB_SUCCESS, ans.ttl);
      int spf_records = 0;
      for (const auto& t : ans.records)
        if (is_spf_record(t)) ++spf_records;
      if (spf_records > 1) {
        stop(Result::PermError, "more than one SPF record for " + domain);
        SPF_dns_rr_free(rr);
        return empty(server, domain_c, type, TRY_AGAIN);
      }
      for (const auto& t : ans.records) {
        if (!is_spf_record(t)) continue;  // other TXT records are of no interest to libspf2
        std::string error;
        auto record = parse(t, error);
        if (!record) {
          stop(Result::PermError, "SPF record of " + domain + ": " + error);
          SPF_dns_rr_free(rr);
          return empty(server, domain_c, type, TRY_AGAIN);
        }
        add_text(rr, for_libspf2(*record, zero_label_));
        records_.push_back({domain, std::move(*record)});
      }
      if (rr->num_rr == 0) {
        // No SPF record among the TXT records: as libspf2 expects, "no data".
        SPF_dns_rr_free(rr);
        return empty(server, domain_c, type, NO_DATA, ans.ttl);
      }
      return rr;
    }
  }
  return empty(server, domain_c, type, HOST_NOT_FOUND);
}

}  // namespace postern::spf

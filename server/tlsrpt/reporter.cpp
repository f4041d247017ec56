#include "tlsrpt/reporter.h"


#include <ctime>

#include "tlsrpt/report.h"
#include "tlsrpt/report_message.h"
#include "tlsrpt/txt_record.h"
#include "util/random.h"
#include "util/strings.h"

namespace postern::tlsrpt {

namespace {

std::string domain_of(const std::string& address) {
  auto at = address.rfind('@');
  return at == std::string::npos ? address : util::to_lower(address.substr(at + 1));
}

std::string hex(const std::string& bytes) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) out += digits[c >> 4], out += digits[c & 15];
  return out;
}

}  // namespace

std::string Reporter::from_address(const config::Snapshot& cfg) const {
  if (!cfg.text("tlsrpt.from").empty()) return cfg.text("tlsrpt.from");
  auto keys = d_.keys.list();
  for (const auto& domain : d_.hosted_domains())
    for (const auto& k : keys)
      if (k.domain == util::to_lower(domain)) return "postmaster@" + k.domain;
  return "postmaster@" + cfg.host_name();
}

std::vector<DomainResult> Reporter::send(const std::string& day, const config::Snapshot& cfg, bool again) {
  std::vector<DomainResult> results;
  const std::string from = from_address(cfg);
  const std::string submitter = domain_of(from);
  for (const auto& domain : d_.recorder.domains(day)) {
    DomainResult r;
    r.domain = domain;
    if (!again && d_.recorder.sent(day, domain)) {
      r.status = "already-sent";
      results.push_back(r);
      continue;
    }
    auto answer = d_.dns.txt("_smtp._tls." + domain);
    if (answer.status == dns::Status::TempFail) {
      r.status = "dns-error";
      results.push_back(r);
      continue;
    }
    // RFC 8460 §3: exactly one record starting with the version; otherwise no reporting.
    std::vector<TxtRecord> records;
    int versioned = 0;
    for (const auto& txt : answer.records)
      if (txt.rfind("v=TLSRPTv1", 0) == 0) {
        ++versioned;
        if (auto rec = parse_txt_record(txt)) records.push_back(*rec);
      }
    if (versioned != 1 || records.size() != 1) {
      r.status = "no-record";
      results.push_back(r);
      continue;
    }
    r.skipped = records[0].https_uris();
    auto rua = records[0].mailto_addresses();
    if (rua.empty()) {
      r.status = "no-mailto";
      results.push_back(r);
      continue;
    }
    auto key = d_.keys.find(submitter);
    if (!key) {  // §5.3: reports are DKIM-signed; an unsigned one would be discarded
      r.status = "no-dkim-key";
      results.push_back(r);
      continue;
    }
    r.report_id = day + "." + hex(util::random_bytes(8)) + "@" + submitter;
    ReportHeader h;
    h.organization = cfg.text("tlsrpt.organization").empty() ? submitter : cfg.text("tlsrpt.organization");
    h.contact = cfg.text("tlsrpt.contact").empty() ? from : cfg.text("tlsrpt.contact");
    h.report_id = r.report_id;
    h.day = day;
    h.domain = domain;
    std::string json = build_report(h, d_.recorder.rows(day, domain)).dump();
    queue::Message msg;
    msg.id = util::new_queue_id();
    msg.sender = from;
    msg.client_ip = "127.0.0.1";
    msg.helo = "localhost";
    for (const auto& to : rua) {
      auto routed = d_.route(to);
      if (routed.empty()) continue;
      r.recipients.push_back(to);
      msg.recipients.insert(msg.recipients.end(), routed.begin(), routed.end());
    }
    if (msg.recipients.empty()) {
      r.status = "no-route";
      results.push_back(r);
      continue;
    }
    ReportMessageInput in;
    in.from = from;
    in.to = r.recipients.front();
    for (size_t i = 1; i < r.recipients.size(); ++i) in.to += ">, <" + r.recipients[i];
    in.submitter = submitter;
    in.domain = domain;
    in.report_id = r.report_id;
    in.day = day;
    in.json = json;
    in.message_id = msg.id + ".tlsrpt@" + submitter;
    std::string body = build_report_message(in, std::time(nullptr));
    msg.body = d_.signer.sign(body, *key) + body;
    r.queue_id = msg.id;
    d_.enqueue(std::move(msg));
    d_.recorder.mark_sent(day, domain, r.report_id);
    r.status = "sent";
    results.push_back(r);
  }
  return results;
}

}  // namespace postern::tlsrpt

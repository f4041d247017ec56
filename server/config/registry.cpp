#include "config/registry.h"

#include <algorithm>
#include <set>

#include "mail/address.h"
#include "util/cidr.h"
#include "util/strings.h"

namespace postern::config {

namespace {

std::vector<Setting> build_registry() {
  using T = Type;
  return {
      // Listeners. Defaults are unprivileged ports: DSM does not let packages bind below 1024.
      {"smtp.listen", T::ListenList, "0.0.0.0:2525", 0, 0, {}, "SMTP (MX and LAN relay) listeners, ADDR:PORT list"},
      {"submission.listen", T::ListenList, "0.0.0.0:2587", 0, 0, {}, "Submission (STARTTLS) listeners"},
      {"submissions.listen", T::ListenList, "0.0.0.0:2465", 0, 0, {}, "Submission over implicit TLS listeners"},
      {"imap.listen", T::ListenList, "0.0.0.0:2143", 0, 0, {}, "IMAP (STARTTLS) listeners"},
      {"imaps.listen", T::ListenList, "0.0.0.0:2993", 0, 0, {}, "IMAP over implicit TLS listeners"},
      {"admin.listen", T::ListenList, "0.0.0.0:2443", 0, 0, {}, "Admin API and control panel (HTTPS) listeners"},

      {"smtp.hostname", T::Hostname, "", 0, 0, {}, "Name announced in the banner and Received headers; empty uses the system host name"},
      {"smtp.banner", T::Text, "Postern ESMTP", 0, 200, {}, "Text after the host name in the 220 greeting"},
      {"smtp.max_recipients", T::Int, "100", 1, 10000, {}, "Most recipients accepted for one message"},
      {"smtp.max_hops", T::Int, "50", 1, 500, {}, "Most Received headers a message may carry (mail loop protection)"},
      {"smtp.max_message_size_mb", T::Int, "25", 1, 200, {}, "Largest message accepted, in megabytes"},
      {"smtp.max_line_length", T::Int, "4096", 1000, 100000, {}, "Longest line accepted in a command or in message data, in bytes"},
      {"smtp.max_connections", T::Int, "100", 1, 5000, {}, "Most simultaneous SMTP sessions over all listeners"},
      {"smtp.data_memory_mb", T::Int, "128", 8, 4096, {},
       "Memory all sessions together may use for messages being received; past it a message gets 452 (try later)"},
      {"smtp.max_errors", T::Int, "10", 1, 1000, {}, "Protocol errors after which a session is closed with 421"},
      {"smtp.command_timeout_s", T::Int, "300", 5, 3600, {}, "Seconds to wait for the next command"},
      {"smtp.data_timeout_s", T::Int, "180", 5, 3600, {}, "Seconds to wait for more message data"},
      {"smtp.require_auth", T::Bool, "true", 0, 0, {}, "Clients must authenticate to send to non-local recipients"},
      {"smtp.lan_skip_auth", T::Bool, "true", 0, 0, {}, "Clients in network.lan may send without authenticating"},
      {"smtp.auth_plaintext_lan", T::Bool, "false", 0, 0, {}, "Offer AUTH without TLS to clients in network.lan"},
      {"smtp.check_sender_login", T::Bool, "true", 0, 0, {}, "An authenticated user may only use its own addresses and aliases as sender"},
      {"smtp.sender_login_lan_exempt", T::Bool, "false", 0, 0, {}, "Skip the sender ownership check for clients in network.lan"},
      {"smtp.bare_newline", T::Enum, "normalize", 0, 0, {"normalize", "reject"},
       "Lines ending in a bare LF: treat as CRLF (never as end of data), or reject the message"},
      {"imap.auth_plaintext_lan", T::Bool, "false", 0, 0, {}, "Let IMAP clients in network.lan log in without TLS (otherwise LOGINDISABLED before STARTTLS)"},
      {"imap.max_connections", T::Int, "2000", 1, 20000, {}, "Most simultaneous IMAP connections over both IMAP listeners"},
      {"imap.login_timeout_s", T::Int, "60", 5, 600, {}, "Seconds an IMAP client may take to log in; logged-in clients get 30 minutes (RFC 3501)"},
      {"imap.max_append_mb", T::Int, "50", 1, 1024, {}, "Largest literal (APPEND message) an IMAP client may send, in megabytes"},
      {"postmaster.recipients", T::AddressList, "", 0, 0, {},
       "Who receives mail for postmaster@ a hosted domain when no such user or alias exists (GEN-6); empty: the domain's first user"},
      {"network.lan", T::CidrList, "127.0.0.0/8,::1/128", 0, 0, {}, "Local networks: their clients may relay without credentials"},

      {"tls.cert_file", T::Path, "", 0, 0, {}, "PEM certificate chain; empty uses the generated self-signed one"},
      {"tls.key_file", T::Path, "", 0, 0, {}, "PEM private key for tls.cert_file"},
      {"tls.min_version", T::Enum, "1.2", 0, 0, {"1.2", "1.3"}, "Oldest TLS version accepted from clients on every listener"},
      {"tls.legacy_lan_submission", T::Bool, "false", 0, 0, {},
       "Also accept TLS 1.0 and 1.1 (AES-CBC suites) from network.lan clients on the submission listeners, for old scanners and printers"},

      {"tls.ca_file", T::Path, "", 0, 0, {}, "Extra PEM CA certificates trusted when checking smart hosts' certificates"},

      // Outbound delivery (DLV-1, DLV-2).
      {"delivery.mode", T::Enum, "direct", 0, 0, {"direct", "smarthost", "rules"},
       "How mail leaves: straight to each domain's MX hosts, all through one smart host, or by smart-host rules"},
      {"delivery.smarthost_host", T::Host, "", 0, 0, {}, "Smart host name or IP address"},
      {"delivery.smarthost_port", T::Int, "587", 1, 65535, {}, "Smart host port (587 submission, 465 implicit TLS, 25)"},
      {"delivery.smarthost_tls", T::Enum, "starttls", 0, 0, {"starttls", "implicit", "opportunistic"},
       "TLS to the smart host: required STARTTLS, implicit TLS, or STARTTLS when offered"},
      {"delivery.smarthost_verify", T::Bool, "true", 0, 0, {}, "Require a valid certificate for the smart host's name"},
      {"delivery.smarthost_username", T::Text, "", 0, 256, {}, "User name for AUTH at the smart host; empty sends without AUTH"},
      {"delivery.smarthost_password", T::Secret, "", 0, 256, {}, "Password for AUTH at the smart host"},
      {"delivery.mx_port", T::Int, "25", 1, 65535, {}, "Port used to reach MX hosts (tests and special networks only)"},
      {"delivery.connect_timeout_s", T::Int, "30", 1, 300, {}, "Seconds to wait for a remote server to accept a connection"},
      {"delivery.command_timeout_s", T::Int, "300", 5, 3600, {}, "Seconds to wait for a remote server's reply"},
      // Transport security when sending (TLS-3 MTA-STS, TLS-2 RequireTLS).
      {"delivery.mta_sts", T::Bool, "true", 0, 0, {},
       "Honour recipient domains' MTA-STS policies (RFC 8461): in enforce mode only listed MX hosts over verified TLS"},
      {"delivery.mta_sts_port", T::Int, "443", 1, 65535, {}, "Port of the HTTPS servers MTA-STS policies are fetched from (tests only)"},
      {"smtp.requiretls", T::Bool, "true", 0, 0, {},
       "Offer REQUIRETLS (RFC 8689) to clients under TLS and honour +requiretls addresses and smtp.requiretls_rules"},
      {"smtp.requiretls_rules", T::Text, "", 0, 2000, {},
       "Comma list of domains or addresses whose mail (as sender or recipient) always requires validated TLS"},

      // DNS (used by delivery; SPF later).
      {"dns.nameservers", T::Text, "", 0, 500, {},
       "DNS servers to ask: comma list of IP, IP:PORT or [IPv6]:PORT; empty uses the system's /etc/resolv.conf"},
      {"dns.timeout_s", T::Int, "10", 1, 60, {}, "Seconds to wait for one DNS answer before treating the lookup as a temporary failure"},
      {"dns.cache_max_entries", T::Int, "10000", 0, 1000000, {}, "Most DNS answers kept in the cache; 0 turns the cache off"},
      {"dns.dnssec_trust_anchor", T::Path, "", 0, 0, {},
       "Trust anchor file (e.g. /usr/share/dns/root.key) to validate DNSSEC; empty turns validation off"},

      // SPF (SPF-1..11, MDaemon's SPF screen).
      {"spf.verify_mail_from", T::Bool, "true", 0, 0, {}, "Check the SPF record of the MAIL FROM domain of incoming mail (SPF-1)"},
      {"spf.skip_authenticated", T::Bool, "true", 0, 0, {}, "Do not check SPF for authenticated sessions (SPF-2)"},
      {"spf.skip_trusted", T::Bool, "true", 0, 0, {}, "Do not check SPF for clients in trusted networks and network.lan (SPF-3)"},
      {"spf.cache", T::Bool, "true", 0, 0, {}, "Cache SPF results per client IP and domain for the record's TTL (SPF-4)"},
      {"spf.whitelist", T::CidrList, "", 0, 0, {}, "Client IPs and networks never SPF-checked (SPF-5)"},
      {"spf.fail_reject", T::Bool, "true", 0, 0, {}, "Answer 550 5.7.23 when SPF fails (SPF-6)"},
      {"spf.fail_close", T::Bool, "false", 0, 0, {}, "After the 550 for an SPF fail, close the connection (SPF-6)"},
      {"spf.fail_score", T::Int, "0", -100, 100, {}, "Added to the message's spam score when SPF fails and the message is accepted (SPF-6)"},
      {"spf.approved_domains", T::Text, "", 0, 2000, {}, "Comma list of domains whose SPF pass adjusts the spam score by spf.approved_score (SPF-7)"},
      {"spf.approved_score", T::Int, "-5", -100, 100, {}, "Spam score adjustment when SPF passes for an approved domain (SPF-7)"},
      {"spf.check_helo", T::Bool, "true", 0, 0, {}, "Also check the HELO/EHLO name's SPF record (SPF-8)"},
      {"spf.received_header", T::Bool, "true", 0, 0, {}, "Insert a Received-SPF header into checked messages (SPF-9)"},
      {"spf.header_skip_none", T::Bool, "false", 0, 0, {}, "Do not insert the Received-SPF header when the result is none (SPF-9)"},
      {"spf.void_lookup_limit", T::Int, "2", 2, 20, {}, "Most SPF term lookups answering no record before the check is a permerror (SPF-11)"},
      {"spf.forward_local_sender", T::Bool, "true", 0, 0, {}, "Forwarded mail to outside addresses gets a local SRS envelope sender (SPF-10)"},

      // Queue (QUE-1).
      {"queue.min_free_mb", T::Int, "100", 0, 1024 * 1024, {},
       "Free disk space the queue keeps: with less (plus the message's announced size) new mail waits (452 4.3.1)"},
      {"queue.retry_min_s", T::Int, "300", 1, 86400, {}, "First retry delay after a temporary failure, doubled each time"},
      {"queue.retry_max_s", T::Int, "4000", 1, 86400, {}, "Longest delay between two retries"},
      {"queue.lifetime", T::Duration, "5d", 10, 60 * 86400, {}, "How long a message may wait before it is returned to its sender"},
      {"queue.delay_warning", T::Duration, "4h", 0, 60 * 86400, {}, "Delay after which the sender is told a message is late; 0 never"},
      {"delivery.per_destination_concurrency", T::Int, "4", 1, 50, {}, "Deliveries at once to one destination domain or smart host"},
      {"delivery.connection_reuse_s", T::Int, "2", 0, 300, {},
       "Seconds an SMTP connection stays open after its last message, for the next one to the same host; 0 closes it at once"},

      // DKIM signing and TLS reporting (issue 11, TLS-4).
      {"dkim.sign", T::Bool, "true", 0, 0, {},
       "Sign mail from authenticated users, the LAN and trusted networks with the DKIM key of its From domain, when that domain has one"},
      {"tlsrpt.enabled", T::Bool, "false", 0, 0, {},
       "Record the TLS outcome of deliveries to each domain and send the daily TLS report (RFC 8460) to the domains that publish _smtp._tls (TLS-4)"},
      {"tlsrpt.from", T::Text, "", 0, 254, {},
       "Address TLS reports come from; its domain needs a DKIM key. Empty: postmaster@ the first hosted domain with a DKIM key"},
      {"tlsrpt.organization", T::Text, "", 0, 200, {}, "organization-name in TLS reports; empty uses the reporting domain"},
      {"tlsrpt.contact", T::Text, "", 0, 254, {}, "contact-info in TLS reports; empty uses the sending address"},

      {"log.max_size_mb", T::Int, "10", 1, 1000, {}, "Size at which a log file is rotated"},

      // Security (MailPlus "Sécurité" screens, SEC-3..5, ACC-3). All off by default, as in
      // MailPlus; each limit is a switch plus a number, like the screen's check box and field.
      {"security.reject_non_fqdn_sender", T::Bool, "false", 0, 0, {},
       "Reject senders whose address has no fully qualified domain (SEC-3)"},
      {"security.reject_unknown_sender_domain", T::Bool, "false", 0, 0, {},
       "Reject senders whose domain has no MX, A or AAAA record when a recipient is not local (SEC-3)"},
      {"security.reject_unknown_client_hostname", T::Bool, "false", 0, 0, {},
       "Reject clients whose address has no PTR name that resolves back to it (SEC-4)"},
      {"security.limit_client_connections", T::Bool, "false", 0, 0, {},
       "Limit simultaneous connections from one client (SEC-4)"},
      {"security.max_client_connections", T::Int, "50", 1, 1000, {}, "Most simultaneous connections from one client"},
      {"security.limit_client_messages", T::Bool, "false", 0, 0, {},
       "Limit messages per minute from one client; past it the client waits for the next minute (SEC-4)"},
      {"security.max_client_messages_per_minute", T::Int, "100", 1, 100000, {}, "Most messages from one client in a minute"},
      {"security.limit_client_connection_rate", T::Bool, "false", 0, 0, {},
       "Limit new connections per minute from one client; past it the client waits for the next minute (SEC-4)"},
      {"security.max_client_connections_per_minute", T::Int, "60", 1, 100000, {},
       "Most new connections from one client in a minute"},
      {"security.reject_unauth_pipelining", T::Bool, "false", 0, 0, {},
       "Reject clients that send commands before the greeting, or ahead of replies without PIPELINING (SEC-5)"},
      {"security.greet_pause_ms", T::Int, "500", 0, 10000, {},
       "With reject_unauth_pipelining: how long the server waits before its greeting for a client that talks first"},
      {"security.reject_non_fqdn_helo", T::Bool, "false", 0, 0, {},
       "Reject clients whose HELO/EHLO name is not a fully qualified domain or an address literal (SEC-5)"},
      {"security.reject_unknown_helo", T::Bool, "false", 0, 0, {},
       "Reject clients whose HELO/EHLO name has no A, AAAA or MX record (SEC-5)"},
      {"security.block_unknown_recipients", T::Bool, "false", 0, 0, {},
       "Block until the next day a client that sends to too many nonexistent local accounts (SEC-5)"},
      {"security.max_unknown_recipients", T::Int, "20", 1, 100000, {},
       "Nonexistent local accounts a client may send to in a day before it is blocked"},
      {"security.limit_junk_commands", T::Bool, "false", 0, 0, {},
       "Limit NOOP, VRFY, ETRN and RSET per session before mail is sent, one second of delay per ten (SEC-5)"},
      {"security.max_junk_commands", T::Int, "100", 1, 100000, {}, "Junk commands a session may send before mail"},
      {"security.mx_auth", T::Enum, "allow", 0, 0, {"allow", "refuse", "refuse_and_block"},
       "AUTH on the SMTP (MX) listener: offer it, refuse it (not advertised, 503 if tried), or refuse and block the client (ACC-3)"},
      {"security.mx_auth_block", T::Duration, "1d", 60, 365 * 86400, {},
       "How long a client that tried AUTH on the MX listener stays blocked (security.mx_auth refuse_and_block)"},
      // Admin API and control panel (issue 7).
      // Publishing an MTA-STS policy for the hosted domains (RFC 8461, served at /.well-known/mta-sts.txt).
      {"mta_sts_publish.mode", T::Enum, "none", 0, 0, {"none", "testing", "enforce"},
       "Published MTA-STS mode: none (no policy), testing (senders report failures) or enforce (senders refuse to deliver without valid TLS)"},
      {"mta_sts_publish.mx", T::Text, "", 0, 2000, {},
       "Comma list of the MX host names the policy allows (*.example.com patterns too); empty: smtp.hostname"},
      {"mta_sts_publish.max_age", T::Duration, "7d", 86400, 365 * 86400, {}, "How long senders may cache the policy (RFC 8461 allows up to a year)"},
      {"mta_sts_publish.report_to", T::AddressList, "", 0, 0, {},
       "Address in the _smtp._tls record for senders' TLS reports; empty: postmaster@ each domain"},
      {"mta_sts_publish.listen", T::ListenList, "", 0, 0, {},
       "Extra HTTPS listeners that serve only /.well-known/mta-sts.txt, for a reverse proxy on port 443; empty: none"},
      {"admin.plain_http_listen", T::ListenList, "", 0, 0, {},
       "Plain HTTP admin listeners, loopback addresses (127.0.0.0/8) only; empty: HTTPS only"},
      {"admin.session_idle", T::Duration, "30m", 60, 86400, {}, "An admin session unused this long ends; log in again"},
      {"admin.login_max_failures", T::Int, "5", 1, 100, {},
       "Failed admin logins from one address before further attempts are refused for admin.login_lockout"},
      {"admin.login_lockout", T::Duration, "15m", 10, 86400, {}, "How long an address that failed too often must wait"},
      {"admin.max_body_kb", T::Int, "256", 16, 16384, {}, "Largest admin API request body, in kilobytes"},
  };
}

bool parse_listen(const std::string& item, std::string& error) {
  auto colon = item.rfind(':');
  if (colon == std::string::npos) {
    error = "'" + item + "' is not ADDR:PORT";
    return false;
  }
  auto host = item.substr(0, colon);
  long long port = 0;
  if (!util::parse_int(item.substr(colon + 1), port) || port < 1 || port > 65535) {
    error = "'" + item + "' needs a port between 1 and 65535";
    return false;
  }
  bool bracketed = host.size() > 2 && host.front() == '[' && host.back() == ']';
  auto ip = util::IpAddress::parse(host);
  if (!ip || (ip->v6 && !bracketed)) {
    error = "'" + item + "' needs an IP address (IPv6 in brackets: [::1]:2525)";
    return false;
  }
  return true;
}

}  // namespace

std::optional<long long> parse_duration(const std::string& text) {
  if (text.empty()) return std::nullopt;
  long long unit = 1;
  std::string digits = text;
  switch (text.back()) {
    case 's': unit = 1; break;
    case 'm': unit = 60; break;
    case 'h': unit = 3600; break;
    case 'd': unit = 86400; break;
    default: unit = 0;
  }
  if (unit) digits.pop_back();
  else unit = 1;
  long long n = 0;
  if (!util::parse_int(digits, n) || n < 0 || n > 100LL * 365 * 86400 / unit) return std::nullopt;
  return n * unit;
}

std::string format_duration(long long seconds) {
  if (seconds == 0) return "0";
  if (seconds % 86400 == 0) return std::to_string(seconds / 86400) + "d";
  if (seconds % 3600 == 0) return std::to_string(seconds / 3600) + "h";
  if (seconds % 60 == 0) return std::to_string(seconds / 60) + "m";
  return std::to_string(seconds) + "s";
}

const char* type_name(Type t) {
  switch (t) {
    case Type::Bool: return "bool";
    case Type::Int: return "int";
    case Type::Text: return "text";
    case Type::Hostname: return "hostname";
    case Type::Path: return "path";
    case Type::Enum: return "enum";
    case Type::ListenList: return "listen-list";
    case Type::CidrList: return "cidr-list";
    case Type::Host: return "host";
    case Type::Secret: return "secret";
    case Type::Duration: return "duration";
    case Type::AddressList: return "address-list";
  }
  return "?";
}

const std::vector<Setting>& all_settings() {
  static const std::vector<Setting> registry = build_registry();
  return registry;
}

const Setting* find_setting(const std::string& key) {
  for (const auto& s : all_settings())
    if (s.key == key) return &s;
  return nullptr;
}

std::optional<std::string> normalize(const Setting& s, const std::string& raw, std::string& error) {
  std::string value(util::trim(raw));
  auto fail = [&](const std::string& rule) -> std::optional<std::string> {
    error = s.key + ": " + rule;
    return std::nullopt;
  };
  switch (s.type) {
    case Type::Bool: {
      auto v = util::to_lower(value);
      if (v == "true" || v == "on" || v == "yes" || v == "1") return std::string("true");
      if (v == "false" || v == "off" || v == "no" || v == "0") return std::string("false");
      return fail("must be true or false");
    }
    case Type::Int: {
      long long n = 0;
      if (!util::parse_int(value, n)) return fail("must be a whole number");
      if (n < s.min || n > s.max)
        return fail("must be between " + std::to_string(s.min) + " and " + std::to_string(s.max));
      return std::to_string(n);
    }
    case Type::Text: {
      if (value.size() > size_t(s.max)) return fail("must be at most " + std::to_string(s.max) + " characters");
      for (unsigned char c : value)
        if (c < 32 || c == 127) return fail("must be a single line of printable text");
      return value;
    }
    case Type::Hostname: {
      auto v = util::to_lower(value);
      if (v.empty()) return v;
      if (v.find('.') == std::string::npos || v.front() == '[' || !mail::valid_domain(v))
        return fail("must be a fully qualified host name such as mail.example.com");
      return v;
    }
    case Type::Path: {
      if (!value.empty() && value.front() != '/') return fail("must be an absolute path");
      for (unsigned char c : value)
        if (c < 32) return fail("must not contain control characters");
      return value;
    }
    case Type::Enum: {
      for (const auto& c : s.choices)
        if (c == value) return value;
      return fail("must be one of: " + util::join(s.choices, ", "));
    }
    case Type::ListenList: {
      auto items = util::split_list(value);
      for (const auto& item : items) {
        std::string why;
        if (!parse_listen(item, why)) return fail(why);
      }
      return util::join(items, ",");
    }
    case Type::Host: {
      if (value.empty()) return value;
      if (auto ip = util::IpAddress::parse(value)) return ip->to_string();
      auto v = util::to_lower(value);
      if (v.back() == '.') v.pop_back();
      if (v.front() == '[' || !mail::valid_domain(v)) return fail("must be a host name or an IP address");
      return v;
    }
    case Type::AddressList: {
      std::vector<std::string> out;
      for (const auto& item : util::split_list(value)) {
        auto a = mail::Address::parse(item, true);
        if (!a) return fail("'" + item + "' is not a mail address");
        out.push_back(a->key());
      }
      return util::join(out, ",");
    }
    case Type::Duration: {
      auto seconds = parse_duration(value);
      if (!seconds) return fail("must be a duration such as 90s, 15m, 4h or 5d");
      if (*seconds < s.min || *seconds > s.max)
        return fail("must be between " + format_duration(s.min) + " and " + format_duration(s.max));
      return format_duration(*seconds);
    }
    case Type::Secret: {
      if (raw.size() > size_t(s.max)) return fail("must be at most " + std::to_string(s.max) + " characters");
      for (unsigned char c : raw)
        if (c < 32 || c == 127) return fail("must not contain control characters");
      return raw;  // secrets keep their spaces
    }
    case Type::CidrList: {
      std::vector<std::string> out;
      for (const auto& item : util::split_list(value)) {
        auto c = util::Cidr::parse(item);
        if (!c) return fail("'" + item + "' is not an IP network such as 192.168.1.0/24");
        out.push_back(c->to_string());
      }
      return util::join(out, ",");
    }
  }
  return fail("unknown type");
}

std::string displayed_value(const Setting& s, const std::string& value) {
  if (s.type == Type::Secret) return value.empty() ? "" : "********";
  return value;
}

std::optional<std::string> check_consistency(const std::map<std::string, std::string>& values) {
  std::map<std::string, std::string> owner;  // port -> key, to find clashes
  for (const auto& s : all_settings()) {
    if (s.type != Type::ListenList) continue;
    auto it = values.find(s.key);
    if (it == values.end()) continue;
    std::set<std::string> own_ports;
    for (const auto& item : util::split_list(it->second)) {
      auto port = item.substr(item.rfind(':') + 1);
      if (own_ports.count(port)) continue;  // same service on v4 and v6 is fine
      own_ports.insert(port);
      auto [pos, fresh] = owner.emplace(port, s.key);
      if (!fresh) return s.key + ": port " + port + " is already used by " + pos->second;
    }
  }
  auto cert = values.find("tls.cert_file"), key = values.find("tls.key_file");
  bool has_cert = cert != values.end() && !cert->second.empty();
  bool has_key = key != values.end() && !key->second.empty();
  if (has_cert != has_key) return std::string("tls.cert_file and tls.key_file must be set together");
  auto get = [&](const char* k) {
    auto it = values.find(k);
    return it == values.end() ? std::string() : it->second;
  };
  for (const auto& item : util::split_list(get("dns.nameservers"))) {
    // IP, IP:PORT or [IPv6]:PORT.
    std::string host = item;
    long long port = 53;
    if (item.front() == '[') {
      auto close = item.find(']');
      host = close == std::string::npos ? "" : item.substr(1, close - 1);
      if (close != std::string::npos && close + 1 < item.size() &&
          (item[close + 1] != ':' || !util::parse_int(item.substr(close + 2), port)))
        port = -1;
    } else if (std::count(item.begin(), item.end(), ':') == 1) {
      host = item.substr(0, item.find(':'));
      if (!util::parse_int(item.substr(item.find(':') + 1), port)) port = -1;
    }
    auto ip = util::IpAddress::parse(host);
    if (!ip || port < 1 || port > 65535)
      return "dns.nameservers: '" + item + "' is not IP, IP:PORT or [IPv6]:PORT";
  }
  // A LAN that covers the Internet would make Postern an open relay (RLY-3).
  for (const auto& item : util::split_list(get("network.lan"))) {
    auto slash = item.find('/');
    long long prefix = 128;
    if (slash != std::string::npos) util::parse_int(item.substr(slash + 1), prefix);
    bool v6 = item.find(':') != std::string::npos;
    if (prefix < (v6 ? 16 : 8))
      return "network.lan: '" + item + "' is too wide; trusting it would make Postern an open relay";
  }
  // Plain HTTP carries the admin password and session: never beyond this machine.
  for (const auto& item : util::split_list(get("admin.plain_http_listen"))) {
    auto ip = util::IpAddress::parse(item.substr(0, item.rfind(':')));
    if (!ip || ip->v6 || !util::Cidr::parse("127.0.0.0/8")->contains(*ip))
      return "admin.plain_http_listen: '" + item + "' is not a loopback IPv4 address; plain HTTP is for this machine only";
  }
  for (const auto& item : util::split_list(get("mta_sts_publish.mx"))) {
    std::string host = item.compare(0, 2, "*.") == 0 ? item.substr(2) : item;
    if (host.find('.') == std::string::npos || !mail::valid_domain(util::to_lower(host)))
      return "mta_sts_publish.mx: '" + item + "' is not a host name such as mail.example.com or *.example.com";
  }
  if (get("delivery.mode") == "smarthost" && get("delivery.smarthost_host").empty())
    return std::string("delivery.smarthost_host: must be set when delivery.mode is smarthost");
  if (get("delivery.smarthost_username").empty() != get("delivery.smarthost_password").empty())
    return std::string("delivery.smarthost_username and delivery.smarthost_password must be set together");
  if (!get("tlsrpt.from").empty() && !mail::Address::parse(get("tlsrpt.from")))
    return std::string("tlsrpt.from: '") + get("tlsrpt.from") + "' is not a mail address";
  // RequireTLS rules: "domain", "@domain" or "user@domain".
  for (const auto& item : util::split_list(get("smtp.requiretls_rules"))) {
    auto at = item.rfind('@');
    bool ok = at == std::string::npos ? mail::valid_domain(item, false)
              : at == 0               ? mail::valid_domain(item.substr(1), false)
                                      : mail::Address::parse(item).has_value();
    if (!ok) return "smtp.requiretls_rules: '" + item + "' is neither a domain nor a mail address";
  }
  long long lo = 0, hi = 0;
  if (util::parse_int(get("queue.retry_min_s"), lo) && util::parse_int(get("queue.retry_max_s"), hi) && lo > hi)
    return std::string("queue.retry_min_s: must not exceed queue.retry_max_s");
  return std::nullopt;
}

}  // namespace postern::config

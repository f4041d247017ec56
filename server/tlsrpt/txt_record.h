// The TLSRPT policy record (RFC 8460 §3): "v=TLSRPTv1; rua=mailto:...,https://...",
// published as TXT at _smtp._tls.DOMAIN, telling where to send TLS reports.
// Collaborators: none (pure grammar).
// Error contract: parse() returns nullopt for anything the RFC's ABNF refuses (version,
// missing or empty rua, URIs without scheme or with broken escapes, malformed extensions,
// doubled separators, trailing garbage); extensions are accepted and ignored.
// Threading: pure functions.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postern::tlsrpt {

struct TxtRecord {
  // One entry per rua= field (a record may hold several; RFC 8460 names one, mox accepts
  // more), each the URIs of that field in order.
  std::vector<std::vector<std::string>> rua;

  std::vector<std::string> mailto_addresses() const;  // the mailto: URIs' addresses, in order
  std::vector<std::string> https_uris() const;
};

std::optional<TxtRecord> parse_txt_record(std::string_view txt);

}  // namespace postern::tlsrpt

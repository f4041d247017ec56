// RequireTLS (RFC 8689) on the receiving side: why an accepted recipient's mail may only
// leave over validated TLS — the REQUIRETLS MAIL parameter, a "+requiretls" tag on the
// recipient's local part (MDaemon's convention: the tag is an instruction to us and is
// removed before the mail goes on), or a rule naming the sender's or recipient's domain
// or address (smtp.requiretls_rules).
// Pure: no I/O. Error contract: cannot fail. Threading: any thread.
#pragma once
#include <string>

#include "mail/address.h"

namespace postern::smtp {

// "mail", "tag", "rule" or "" (see mail::RoutedRecipient::require_tls). `rules` is the
// comma list of the setting: "example.com" (a domain) or "user@example.com".
std::string require_tls_reason(bool mail_parameter, const mail::Address& sender, const mail::Address& rcpt,
                               const std::string& rules);

// `address` without a "+requiretls" tag on its local part (any case); unchanged otherwise.
std::string without_requiretls_tag(const std::string& address);

}  // namespace postern::smtp

// The author domain of a message (RFC 5322 From, RFC 7489 §3.1.1): the domain DKIM must
// sign as for receivers to tie the signature to what the reader sees.
// Collaborators: GMime for the address grammar (comments, quoting, groups, encoded words).
// Error contract: empty string when there is no From header or it does not hold exactly one
// usable mailbox (a signature would then help no receiver).
// Threading: any thread.
#pragma once
#include <string>
#include <string_view>

namespace postern::dkim {

// `message` has CRLF line ends; only the header section is read. Lower case.
std::string author_domain(std::string_view message);

}  // namespace postern::dkim

// RFC 8689 §5 "TLS-Required: No": a sender's request that transport-security policies
// (MTA-STS, DANE) be ignored for this message. Only a single, well-formed header counts:
// several TLS-Required fields, or any other value, are inconsistent and ignored, and the
// REQUIRETLS MAIL parameter always wins over the header (the caller decides that).
// Pure: reads the header section of a message, no I/O.
// Error contract: cannot fail. Threading: any thread.
#pragma once
#include <string_view>

namespace postern::mtasts {

// `message` with CRLF or LF line ends; only the header section is read (folded lines joined).
bool tls_required_no(std::string_view message);

}  // namespace postern::mtasts
